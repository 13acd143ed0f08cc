// Client
export { QmpClient } from './client/client.js';
export {
  DEFAULT_MAX_QUEUED_EVENTS,
  type EventStreamOptions,
  type WaitForEventOptions,
} from './client/event-hub.js';
export { type FdPassingSupport, fdPassingSupport } from './client/fd-passing.js';
export { LiveSchema, type SchemaInfoEntry } from './client/live-schema.js';
export type { QmpClientOptions, QmpConnectOptions } from './client/options.js';
export { QmpSession, type QmpSessionState, type ReconnectOptions } from './client/session.js';
export type {
  AnyQmpEvent,
  CommandArgs,
  CommandName,
  CommandNameIn,
  CommandReturn,
  EventName,
  EventNameIn,
  ExecuteOptions,
  ExecuteParams,
  QemuSchemaVersion,
  QmpEvent,
} from './client/types.js';
// Errors
export {
  QapiSchemaError,
  QemuMachineError,
  QmpAbortError,
  QmpArgumentError,
  QmpCommandError,
  QmpConnectError,
  QmpConnectionClosedError,
  QmpError,
  type QmpErrorCode,
  QmpJsonError,
  type QmpLimit,
  QmpLimitError,
  QmpProtocolError,
  QmpTimeoutError,
  QmpUnexpectedReplyError,
  QmpUnsupportedError,
} from './errors.js';
// Generated from QEMU's QAPI schemas (7.2, 8.2, 9.1 merged); every named type under `Qapi`.
export type {
  QmpCommands,
  QmpCommandsByVersion,
  QmpEvents,
  QmpEventsByVersion,
} from './generated/index.js';
export {
  type QapiEntryInfo,
  qapiCommands,
  qapiEvents,
  qapiSchemaVersions,
} from './generated/index.js';
export type * as Qapi from './generated/types.js';
// Protocol (pure, no I/O)
export {
  type DecodedLine,
  decodeLine,
  nestingDepth,
  QmpDecoder,
  type QmpDecoderOptions,
} from './protocol/decoder.js';
export { parseJson, stringifyJson } from './protocol/json.js';
export { DEFAULT_MAX_DEPTH, DEFAULT_MAX_LINE_BYTES } from './protocol/limits.js';
export { LineSplitter } from './protocol/line-splitter.js';
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
} from './protocol/messages.js';
// Transport
export {
  type ConnectRetryOptions,
  connectSocket,
  describeAddress,
  type QmpAddress,
} from './transport/connect.js';
