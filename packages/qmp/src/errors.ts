/**
 * Every error this package throws or rejects with is a `QmpError` with a stable `code`, so
 * callers branch on `err.code` (or `instanceof`) instead of parsing messages. Errors that QEMU
 * itself reports keep QMP's `class` and `desc` verbatim (`QmpCommandError`).
 */
export type QmpErrorCode =
  | 'COMMAND_FAILED'
  | 'PROTOCOL_ERROR'
  | 'INVALID_JSON'
  | 'UNEXPECTED_REPLY'
  | 'LIMIT_EXCEEDED'
  | 'CONNECTION_CLOSED'
  | 'CONNECT_FAILED'
  | 'TIMEOUT'
  | 'ABORTED'
  | 'NOT_CONNECTED'
  | 'INVALID_ARGUMENT'
  | 'UNSUPPORTED'
  | 'SCHEMA_ERROR'
  | 'MACHINE_ERROR';

export class QmpError extends Error {
  readonly code: QmpErrorCode;

  constructor(code: QmpErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'QmpError';
    this.code = code;
  }
}

/**
 * QEMU answered a command with `{"error": {"class", "desc"}}`. `errorClass` is QMP's class
 * (`GenericError`, `CommandNotFound`, `DeviceNotFound`, `DeviceNotActive`, `KVMMissingCap`, or
 * anything a future QEMU adds) and `desc` QEMU's human-readable description.
 */
export class QmpCommandError extends QmpError {
  constructor(
    readonly command: string,
    readonly errorClass: string,
    readonly desc: string,
    readonly id?: unknown,
  ) {
    super('COMMAND_FAILED', `${command}: ${errorClass}: ${desc}`);
    this.name = 'QmpCommandError';
  }
}

/** The peer sent something that is not QMP: a message of unknown shape, or no greeting. */
export class QmpProtocolError extends QmpError {
  constructor(message: string, options?: { cause?: unknown; code?: QmpErrorCode }) {
    super(options?.code ?? 'PROTOCOL_ERROR', message, options);
    this.name = 'QmpProtocolError';
  }
}

/** A line is not valid JSON; `line` keeps (the start of) the offending text, `position` where. */
export class QmpJsonError extends QmpProtocolError {
  constructor(
    readonly line: string,
    readonly position: number | undefined,
    cause: unknown,
  ) {
    const excerpt = line.length > 120 ? `${line.slice(0, 120)}... (${line.length} chars)` : line;
    super(
      `invalid JSON from QMP peer${position === undefined ? '' : ` at position ${position}`}: ${excerpt}`,
      { cause, code: 'INVALID_JSON' },
    );
    this.name = 'QmpJsonError';
  }
}

/** Which bound a peer went past: an option of `QmpClientOptions` / `EventStreamOptions`. */
export type QmpLimit = 'maxLineBytes' | 'maxDepth' | 'maxQueuedEvents';

/**
 * The peer went past a bound this client keeps on what it buffers: a line longer than
 * `maxLineBytes`, JSON nested deeper than `maxDepth`, more than `maxQueuedEvents` events
 * waiting for a slow `events()` reader. `limit` names the option and `max` its value. The
 * connection is closed (except for `maxQueuedEvents`, which ends only that iterator), and
 * every command in flight rejects with one of these, `command` naming it.
 */
export class QmpLimitError extends QmpProtocolError {
  constructor(
    readonly limit: QmpLimit,
    readonly max: number,
    readonly detail: string,
    readonly command?: string,
  ) {
    super(
      `${detail} (${limit} is ${max})${command === undefined ? '' : `; "${command}" was in flight`}`,
      { code: 'LIMIT_EXCEEDED' },
    );
    this.name = 'QmpLimitError';
  }

  /** The same error, for a command that was in flight when the limit tripped. */
  forCommand(command: string): QmpLimitError {
    return new QmpLimitError(this.limit, this.max, this.detail, command);
  }
}

/** A reply carried an id that matches no command in flight (nor one given up on). */
export class QmpUnexpectedReplyError extends QmpProtocolError {
  constructor(readonly id: unknown) {
    super(`reply with unexpected id ${JSON.stringify(id)}`, { code: 'UNEXPECTED_REPLY' });
    this.name = 'QmpUnexpectedReplyError';
  }
}

/**
 * The connection ended (peer closed, QEMU died, or `close()` was called) while `command` was
 * in flight, or before the greeting (`command` is then undefined). `reason` says why.
 */
export class QmpConnectionClosedError extends QmpError {
  constructor(
    readonly command: string | undefined,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(
      'CONNECTION_CLOSED',
      command === undefined
        ? `QMP connection closed: ${reason}`
        : `QMP connection closed while "${command}" was in flight: ${reason}`,
      options,
    );
    this.name = 'QmpConnectionClosedError';
  }
}

/** Connecting to `address` failed (after retries when they were asked for). */
export class QmpConnectError extends QmpError {
  constructor(
    readonly address: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('CONNECT_FAILED', `cannot connect to QMP at ${address}: ${message}`, options);
    this.name = 'QmpConnectError';
  }
}

/** `what` (a command, an event wait, the greeting) did not complete within `timeoutMs`. */
export class QmpTimeoutError extends QmpError {
  constructor(
    readonly what: string,
    readonly timeoutMs: number,
  ) {
    super('TIMEOUT', `${what} timed out after ${timeoutMs} ms`);
    this.name = 'QmpTimeoutError';
  }
}

/** The caller's AbortSignal fired; the reply (if any) will be ignored. */
export class QmpAbortError extends QmpError {
  constructor(
    readonly what: string,
    reason: unknown,
  ) {
    super('ABORTED', `${what} aborted`, { cause: reason });
    this.name = 'QmpAbortError';
  }
}

/** An argument passed to this library is invalid; `argument` names it. */
export class QmpArgumentError extends QmpError {
  constructor(
    readonly argument: string,
    message: string,
  ) {
    super('INVALID_ARGUMENT', `${argument}: ${message}`);
    this.name = 'QmpArgumentError';
  }
}

/** A feature is not available here (e.g. OOB not negotiated, fd passing on a TCP socket). */
export class QmpUnsupportedError extends QmpError {
  constructor(message: string) {
    super('UNSUPPORTED', message);
    this.name = 'QmpUnsupportedError';
  }
}

/** The QAPI schema sources could not be read or parsed; `file` and `line` say where. */
export class QapiSchemaError extends QmpError {
  constructor(
    readonly file: string,
    readonly line: number,
    message: string,
  ) {
    super('SCHEMA_ERROR', `${file}:${line}: ${message}`);
    this.name = 'QapiSchemaError';
  }
}

/** The QEMU launcher failed: binary missing, exited early, no greeting. */
export class QemuMachineError extends QmpError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('MACHINE_ERROR', message, options);
    this.name = 'QemuMachineError';
  }
}
