/**
 * Every error of the agent and its client is an `AgentError` with a stable `code`. Errors that
 * cross the wire keep their code: the client rethrows a remote `PERMISSION` as a
 * `RemoteError` whose `code` is `REMOTE` and whose `remoteCode` is `PERMISSION`.
 */
export type AgentErrorCode =
  | 'FRAME'
  | 'DECODE'
  | 'SCHEMA'
  | 'UNKNOWN_METHOD'
  | 'PERMISSION'
  | 'PATH'
  | 'REMOTE'
  | 'CLOSED'
  | 'CANCELLED'
  | 'TIMEOUT'
  | 'TLS'
  | 'FLOW'
  | 'INVALID_OPTION'
  | 'INTERNAL';

export class AgentError extends Error {
  readonly code: AgentErrorCode;

  constructor(code: AgentErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AgentError';
    this.code = code;
  }
}

/** Bytes that are not a frame: bad version, unknown type, too large. `id` when it was readable. */
export class FrameError extends AgentError {
  constructor(
    message: string,
    readonly id?: number,
  ) {
    super('FRAME', message);
    this.name = 'FrameError';
  }
}

/** A frame whose CBOR body does not decode or does not match its schema. */
export class MessageError extends AgentError {
  constructor(code: 'DECODE' | 'SCHEMA', message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'MessageError';
  }
}

/** An error the peer replied with: `remoteCode` is the peer's code (PERMISSION, PATH, ...). */
export class RemoteError extends AgentError {
  constructor(
    readonly method: string,
    readonly remoteCode: string,
    message: string,
  ) {
    super('REMOTE', `${method}: ${remoteCode}: ${message}`);
    this.name = 'RemoteError';
  }
}

/** The channel closed (or was never open) while a call was in flight. */
export class ClosedError extends AgentError {
  constructor(message = 'the agent channel is closed', options?: { cause?: unknown }) {
    super('CLOSED', message, options);
    this.name = 'ClosedError';
  }
}

export class CancelledError extends AgentError {
  constructor(method: string) {
    super('CANCELLED', `${method}: cancelled`);
    this.name = 'CancelledError';
  }
}

export class TimeoutError extends AgentError {
  constructor(what: string, ms: number) {
    super('TIMEOUT', `${what}: no answer within ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

/** The TLS handshake failed or the peer's certificate is not the pinned one. */
export class TlsError extends AgentError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TLS', message, options);
    this.name = 'TlsError';
  }
}

/** A handler refused its input: `code` travels to the peer as is. */
export class MethodError extends AgentError {
  constructor(code: AgentErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'MethodError';
  }
}

export class InvalidOptionError extends AgentError {
  constructor(option: string, message: string) {
    super('INVALID_OPTION', `${option}: ${message}`);
    this.name = 'InvalidOptionError';
  }
}
