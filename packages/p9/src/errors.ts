/**
 * Every error this package throws is a `P9Error` with a stable `code`, so callers branch on
 * `err.code` instead of parsing messages. Subclasses keep the wire fields (errno, message type,
 * offset) that say what was wrong and where.
 */
export type P9ErrorCode =
  | 'DECODE'
  | 'ENCODE'
  | 'FRAME'
  | 'REMOTE'
  | 'CONNECTION_CLOSED'
  | 'INVALID_OPTION'
  | 'INVALID_ADDRESS';

export class P9Error extends Error {
  readonly code: P9ErrorCode;

  constructor(code: P9ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'P9Error';
    this.code = code;
  }
}

/** Bytes that are not a valid 9P2000.L message: `offset` is where decoding stopped. */
export class DecodeError extends P9Error {
  constructor(
    message: string,
    readonly offset: number,
    readonly messageType?: number,
  ) {
    super(
      'DECODE',
      `${message} (at byte ${offset}${messageType === undefined ? '' : `, type ${messageType}`})`,
    );
    this.name = 'DecodeError';
  }
}

/** A value that cannot be put on the wire (out of range, too long for msize). */
export class EncodeError extends P9Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super('ENCODE', field ? `${field}: ${message}` : message);
    this.name = 'EncodeError';
  }
}

/** A frame header is unusable (size below 7 or above the negotiated msize): the stream is lost. */
export class FrameError extends P9Error {
  constructor(
    message: string,
    readonly size: number,
  ) {
    super('FRAME', message);
    this.name = 'FrameError';
  }
}

/** The peer answered with Rlerror; `errno` is the Linux errno it sent. */
export class RemoteError extends P9Error {
  constructor(
    readonly errno: number,
    readonly errnoName: string,
    readonly request: string,
  ) {
    super('REMOTE', `${request}: ${errnoName} (errno ${errno})`);
    this.name = 'RemoteError';
  }
}

/** The connection closed (or failed) while requests were still waiting for replies. */
export class ConnectionClosedError extends P9Error {
  constructor(message = 'connection closed', options?: { cause?: unknown }) {
    super('CONNECTION_CLOSED', message, options);
    this.name = 'ConnectionClosedError';
  }
}

/** An option passed to the server, a backend or the CLI is invalid; `option` names it. */
export class InvalidOptionError extends P9Error {
  constructor(
    readonly option: string,
    message: string,
  ) {
    super('INVALID_OPTION', `${option}: ${message}`);
    this.name = 'InvalidOptionError';
  }
}

/** A listen/connect address is not `tcp:HOST:PORT` or `unix:PATH`. */
export class InvalidAddressError extends P9Error {
  constructor(readonly address: string) {
    super(
      'INVALID_ADDRESS',
      `invalid address ${JSON.stringify(address)}: expected tcp:HOST:PORT or unix:PATH`,
    );
    this.name = 'InvalidAddressError';
  }
}
