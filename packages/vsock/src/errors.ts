/**
 * Every error this package throws or emits is a `VsockError` with a stable `code`.
 * Socket failures use Node's own codes (`ECONNREFUSED`, `ETIMEDOUT`, `ENODEV`...) and carry
 * `errno`, `syscall`, `cid` and `port`, like the errors of `node:net`; the rest use
 * `ERR_VSOCK_*` / `ERR_HYBRID_*` codes.
 */
export class VsockError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'VsockError';
    this.code = code;
  }
}

/** Called on a platform without AF_VSOCK (anything but Linux). */
export class VsockUnsupportedError extends VsockError {
  constructor(readonly platform: string = process.platform) {
    super('ERR_VSOCK_UNSUPPORTED', `vsock is only supported on Linux (this is ${platform})`);
    this.name = 'VsockUnsupportedError';
  }
}

/** The native addon is not built or cannot be loaded. */
export class VsockAddonError extends VsockError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_VSOCK_ADDON', message, options);
    this.name = 'VsockAddonError';
  }
}

/** A system call failed; `code` is the errno name, as in Node's own socket errors. */
export class VsockSystemError extends VsockError {
  constructor(
    code: string,
    readonly errno: number,
    readonly syscall: string,
    readonly cid: number | undefined,
    readonly port: number | undefined,
    detail: string,
  ) {
    const where = cid === undefined ? '' : ` vsock:${cid}:${port ?? '?'}`;
    super(code, `${syscall} ${code}${where}${detail ? ` (${detail})` : ''}`);
    this.name = 'VsockSystemError';
  }
}

/** An invalid argument (CID, port, option); `option` names it. */
export class VsockInvalidArgumentError extends VsockError {
  constructor(
    readonly option: string,
    message: string,
  ) {
    super('ERR_VSOCK_INVALID_ARGUMENT', `${option}: ${message}`);
    this.name = 'VsockInvalidArgumentError';
  }
}

/** Why a socket cannot do what was asked in its current state. */
export type VsockSocketState = 'not-connected' | 'destroyed' | 'buffered-data' | 'pending-write';

/**
 * The socket is in the wrong state for the call (`releaseFd()` on a socket still connecting,
 * already destroyed, or holding bytes that would be lost); `state` says which.
 */
export class VsockStateError extends VsockError {
  constructor(
    readonly state: VsockSocketState,
    message: string,
  ) {
    super('ERR_VSOCK_STATE', message);
    this.name = 'VsockStateError';
  }
}

/** An address string that does not parse; `address` is what was given. */
export class AddressError extends VsockError {
  constructor(
    readonly address: string,
    message: string,
  ) {
    const shown =
      address.length > 200 ? `${address.slice(0, 200)}... (${address.length} characters)` : address;
    super('ERR_VSOCK_INVALID_ADDRESS', `invalid address "${shown}": ${message}`);
    this.name = 'AddressError';
  }
}

/** Base of the hybrid vsock (Firecracker / cloud-hypervisor muxer) handshake errors. */
export class HybridError extends VsockError {
  constructor(
    code: string,
    readonly path: string,
    readonly port: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, `hybrid:${path}:${port}: ${message}`, options);
    this.name = 'HybridError';
  }
}

/** The muxer's Unix socket does not exist or nobody listens on it. */
export class HybridSocketNotFoundError extends HybridError {
  constructor(path: string, port: number, cause: unknown) {
    super('ERR_HYBRID_SOCKET_NOT_FOUND', path, port, 'no muxer listens on this Unix socket', {
      cause,
    });
    this.name = 'HybridSocketNotFoundError';
  }
}

/** The muxer closed the connection before acknowledging: no guest listens on that port. */
export class HybridConnectionClosedError extends HybridError {
  constructor(path: string, port: number) {
    super(
      'ERR_HYBRID_CONNECTION_CLOSED',
      path,
      port,
      'the muxer closed the connection before "OK" (is a guest listening on that port?)',
    );
    this.name = 'HybridConnectionClosedError';
  }
}

/** Most characters of peer text quoted in an error: the peer may send megabytes. */
const QUOTE_LIMIT = 64;

function quote(text: string): string {
  return text.length > QUOTE_LIMIT
    ? `${JSON.stringify(text.slice(0, QUOTE_LIMIT))}... (${text.length} characters)`
    : JSON.stringify(text);
}

/**
 * The muxer answered something other than `OK <hostport>\n`; `received` is (the start of)
 * what it said, at most 64 characters.
 */
export class HybridBadAckError extends HybridError {
  readonly received: string;

  constructor(path: string, port: number, received: string) {
    super('ERR_HYBRID_BAD_ACK', path, port, `bad acknowledgement ${quote(received)}`);
    this.name = 'HybridBadAckError';
    this.received = received.slice(0, QUOTE_LIMIT);
  }
}

/**
 * The muxer sent more than `limit` bytes without ending its acknowledgement line: no real
 * muxer does (`OK 4294967295\n` is 14 bytes), so the connection is dropped unread.
 */
export class HybridAckTooLongError extends HybridError {
  constructor(
    path: string,
    port: number,
    readonly limit: number,
    readonly received: string,
  ) {
    super(
      'ERR_HYBRID_ACK_TOO_LONG',
      path,
      port,
      `no acknowledgement line within ${limit} bytes (MAX_ACK_LENGTH); got ${quote(received)}`,
    );
    this.name = 'HybridAckTooLongError';
  }
}

/** No acknowledgement within the timeout. */
export class HybridAckTimeoutError extends HybridError {
  constructor(
    path: string,
    port: number,
    readonly timeout: number,
  ) {
    super('ERR_HYBRID_ACK_TIMEOUT', path, port, `no acknowledgement within ${timeout} ms`);
    this.name = 'HybridAckTimeoutError';
  }
}

/** The connect attempt was aborted through its `AbortSignal`. */
export class VsockAbortError extends VsockError {
  constructor(what: string, cause?: unknown) {
    super('ABORT_ERR', `${what}: aborted`, { cause });
    this.name = 'AbortError';
  }
}
