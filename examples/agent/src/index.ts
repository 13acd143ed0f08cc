// Errors.

// The agent (guest side).
export {
  type AgentOptions,
  type AgentSession,
  type DisconnectRecord,
  serveAgent,
} from './agent/agent.js';
export {
  bestSample,
  type Clock,
  type ClockAction,
  chooseAction,
  offsetAndDelay,
  systemClock,
  type TimeSample,
} from './agent/clock.js';
export { type AgentConfig, type AgentConfigInput, AgentConfigSchema } from './agent/config.js';
export { beneathRoot, type RootMatch, rootsContaining } from './agent/confine.js';
export {
  type MountSource,
  type NinePMount,
  ninePMount,
  parseMountSource,
} from './agent/methods/mount-args.js';
// The client (host side).
export { AgentClient, type AgentClientOptions, type ExecCall } from './client/client.js';
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
// Formula: permissions, paths and hooks of a portal.
export { agentConfigFromFormula, type FormulaForAgent } from './formula-config.js';
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
  HOOK_NAMES,
  isMethodName,
  type MethodName,
  methods,
  type Params,
  type ParsedParams,
  type Result,
} from './protocol/methods.js';
export { DEFAULT_WINDOW, IncomingChannel, MAX_CHUNK, OutgoingChannel } from './rpc/channels.js';
export {
  type Call,
  type CallContext,
  type CallOptions,
  type Handler,
  type PeerOptions,
  RpcPeer,
} from './rpc/peer.js';
// RPC over any Duplex.
export { agentResync, hostResync } from './rpc/resync.js';
// Security: TLS 1.3 with pinned certificates over any Duplex.
export { fingerprint, generateIdentity, type Identity } from './tls/identity.js';
export { acceptSecure, connectSecure, type SecureChannelOptions } from './tls/secure-channel.js';
