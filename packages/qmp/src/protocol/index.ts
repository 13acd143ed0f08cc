// biome-ignore-all assist/source/organizeImports: the entry reads by layer, in order.
// @multiverse-os/qmp/protocol: QMP on the wire, pure (no I/O). For tools that speak QMP
// without the client (proxies, recorders, fake servers) and for tests.

// Bytes to lines to typed server messages.
export { LineSplitter } from './line-splitter.js';
export {
  type DecodedLine,
  decodeLine,
  nestingDepth,
  QmpDecoder,
  type QmpDecoderOptions,
} from './decoder.js';
export {
  classifyServerMessage,
  type QmpCommandMessage,
  type QmpErrorReply,
  type QmpEventMessage,
  type QmpGreeting,
  type QmpServerMessage,
  type QmpSuccessReply,
  type QmpTimestamp,
  type QmpVersion,
} from './messages.js';
export { DEFAULT_MAX_DEPTH, DEFAULT_MAX_LINE_BYTES } from './limits.js';

// Commands to lines.
export { type CommandToEncode, encodeCommand } from './encoder.js';

// JSON with 64-bit integers (bigint beyond 2^53).
export { parseJson, stringifyJson } from './json.js';
