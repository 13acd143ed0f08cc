import type {
  QmpCommands,
  QmpCommandsByVersion,
  QmpEvents,
  QmpEventsByVersion,
} from '../generated/index.js';
import type { QmpEventMessage } from '../protocol/messages.js';

/** Names of every command in the merged QEMU 7.2 / 8.2 / 9.1 vocabulary. */
export type CommandName = keyof QmpCommands & string;
/** Names of every event in the merged vocabulary. */
export type EventName = keyof QmpEvents & string;

/** A QEMU release whose schema was merged into the generated types. */
export type QemuSchemaVersion = keyof QmpCommandsByVersion;
/** Command names that exist in QEMU release `V` (e.g. `CommandNameIn<'7.2'>`). */
export type CommandNameIn<V extends QemuSchemaVersion> = QmpCommandsByVersion[V];
/** Event names that exist in QEMU release `V`. */
export type EventNameIn<V extends QemuSchemaVersion> = QmpEventsByVersion[V];

export type CommandArgs<K extends CommandName> = QmpCommands[K]['args'];
export type CommandReturn<K extends CommandName> = QmpCommands[K]['returns'];

/** A typed event message for a known event name. */
export type QmpEvent<K extends EventName> = QmpEventMessage<K, QmpEvents[K]>;

/** Any event: known ones typed by name, unknown ones with `unknown` data. */
export type AnyQmpEvent = { [K in EventName]: QmpEvent<K> }[EventName];

export interface ExecuteOptions {
  /** Reject with `QmpTimeoutError` after this many ms (default: the client's `commandTimeout`). */
  timeout?: number;
  /** Reject with `QmpAbortError` when aborted; a late reply is then ignored. */
  signal?: AbortSignal;
}

// Commands whose arguments are all optional take them optionally.
type HasRequired<T> = T extends undefined ? false : Record<never, never> extends T ? false : true;

export type ExecuteParams<K extends CommandName> =
  HasRequired<CommandArgs<K>> extends true
    ? [args: CommandArgs<K>, options?: ExecuteOptions]
    : [args?: CommandArgs<K>, options?: ExecuteOptions];

/** A string that is not a known command name: the untyped escape hatch of `execute`. */
export type UnknownCommandName<N extends string> = N extends CommandName ? never : N;
