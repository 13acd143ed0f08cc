// Errors.
export {
  AgentError,
  type AgentErrorCode,
  CancelledError,
  ClosedError,
  FrameError,
  InvalidOptionError,
  MessageError,
  MethodError,
  RemoteError,
  TimeoutError,
  TlsError,
} from './errors.js';
// Protocol: pure codec, no I/O.
export { decodeBody, encodeBody } from './protocol/codec.js';
export {
  Channel,
  CreditBody,
  ErrorBody,
  EventBody,
  RequestBody,
  ResponseBody,
} from './protocol/envelopes.js';
export {
  DEFAULT_MAX_FRAME,
  type DecodedItem,
  encodeFrame,
  type Frame,
  FrameDecoder,
  FrameType,
  HEADER_SIZE,
  isFrameType,
  PROTOCOL_VERSION,
} from './protocol/frame.js';
export {
  type EventData,
  type EventName,
  events,
  isMethodName,
  type MethodName,
  methods,
  type Params,
  type ParsedParams,
  type Result,
} from './protocol/methods.js';
// RPC over any Duplex.
export { DEFAULT_WINDOW, IncomingChannel, MAX_CHUNK, OutgoingChannel } from './rpc/channels.js';
export {
  type Call,
  type CallContext,
  type CallOptions,
  type Handler,
  type PeerOptions,
  RpcPeer,
} from './rpc/peer.js';
