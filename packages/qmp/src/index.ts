// biome-ignore-all assist/source/organizeImports: the front door reads by section, in order.
// @multiverse-os/qmp: a typed QMP client for QEMU. The wire codec (decoder, encoder, JSON with
// 64-bit integers, message shapes) is `@multiverse-os/qmp/protocol`; the QEMU launcher is
// `@multiverse-os/qmp/machine`.

// Client: connect, run typed commands, follow events.
export { QmpClient } from './client/client.js';
export { QmpSession, type QmpSessionState, type ReconnectOptions } from './client/session.js';
export type { QmpClientOptions, QmpConnectOptions } from './client/options.js';
export { DEFAULT_MAX_DEPTH, DEFAULT_MAX_LINE_BYTES } from './protocol/limits.js';
export {
  DEFAULT_MAX_QUEUED_EVENTS,
  type EventStreamOptions,
  type WaitForEventOptions,
} from './client/event-hub.js';
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
export type {
  QmpEventMessage,
  QmpGreeting,
  QmpTimestamp,
  QmpVersion,
} from './protocol/messages.js';
export { LiveSchema, type SchemaInfoEntry } from './client/live-schema.js';
export { type FdPassingSupport, fdPassingSupport } from './client/fd-passing.js';

// Addresses: a Unix socket path or a TCP host and port.
export {
  type ConnectRetryOptions,
  connectSocket,
  describeAddress,
  type QmpAddress,
} from './transport/connect.js';

// Types generated from QEMU's QAPI schemas (7.2, 8.2, 9.1 merged); every named type under `Qapi`.
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

// Errors: QmpError and its kinds, each with a stable `code`.
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
