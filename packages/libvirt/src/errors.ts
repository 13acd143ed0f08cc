/**
 * Every error this package throws or rejects with is a `LibvirtError` with a stable `code`, so
 * callers branch on `err.code` (or `instanceof`) instead of parsing messages. Errors the daemon
 * reports keep libvirt's own code, domain, level and message (`LibvirtRemoteError`).
 */
import { VIR_ERROR_DOMAINS, VIR_ERROR_LEVELS, VIR_ERROR_NUMBERS } from './vir-error-names.js';

export type LibvirtErrorCode =
  | 'XDR_ERROR'
  | 'PROTOCOL_ERROR'
  | 'REMOTE_ERROR'
  | 'CONNECTION_CLOSED'
  | 'CONNECT_FAILED'
  | 'TIMEOUT'
  | 'ABORTED'
  | 'INVALID_ARGUMENT'
  | 'UNSUPPORTED'
  | 'SCHEMA_ERROR';

export class LibvirtError extends Error {
  readonly code: LibvirtErrorCode;

  constructor(code: LibvirtErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LibvirtError';
    this.code = code;
  }
}

/**
 * Bytes are not valid XDR for the expected type, or a value cannot be encoded as it: truncated
 * input, a length beyond the protocol's declared maximum, an undeclared enum or union arm, a
 * value of the wrong type. `path` names the field (`remote_domain_define_xml_args.xml`) and
 * `offset` the byte where decoding stopped (undefined when encoding).
 */
export class LibvirtXdrError extends LibvirtError {
  constructor(
    readonly path: string,
    readonly reason: string,
    readonly offset?: number,
  ) {
    super(
      'XDR_ERROR',
      `XDR ${path || '<value>'}: ${reason}${offset === undefined ? '' : ` (at byte ${offset})`}`,
    );
    this.name = 'LibvirtXdrError';
  }
}

/** The peer sent a packet that breaks libvirt's RPC framing (size, program, type, serial). */
export class LibvirtProtocolError extends LibvirtError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PROTOCOL_ERROR', message, options);
    this.name = 'LibvirtProtocolError';
  }
}

/** The fields of libvirt's `virError` as the daemon sent them (`remote_error`). */
export interface RemoteErrorFields {
  code: number;
  domain: number;
  message: string | null;
  level: number;
  str1: string | null;
  str2: string | null;
  str3: string | null;
  int1: number;
  int2: number;
}

/**
 * The daemon answered a call with an error. `libvirtCode` is libvirt's `virErrorNumber` (its
 * C name in `codeName`, e.g. `VIR_ERR_NO_DOMAIN`), `libvirtDomain` the `virErrorDomain`
 * (`domainName`, e.g. `VIR_FROM_QEMU`), `level` the `virErrorLevel`; `message` is libvirt's.
 */
export class LibvirtRemoteError extends LibvirtError {
  readonly libvirtCode: number;
  readonly codeName: string | undefined;
  readonly libvirtDomain: number;
  readonly domainName: string | undefined;
  readonly level: number;
  readonly levelName: string | undefined;
  readonly libvirtMessage: string;
  readonly str1: string | null;
  readonly str2: string | null;
  readonly str3: string | null;
  readonly int1: number;
  readonly int2: number;

  constructor(
    readonly procedure: string,
    fields: RemoteErrorFields,
  ) {
    const codeName = VIR_ERROR_NUMBERS[fields.code];
    const libvirtMessage = fields.message ?? '(no message)';
    super('REMOTE_ERROR', `${procedure}: ${libvirtMessage} [${codeName ?? `code ${fields.code}`}]`);
    this.name = 'LibvirtRemoteError';
    this.libvirtCode = fields.code;
    this.codeName = codeName;
    this.libvirtDomain = fields.domain;
    this.domainName = VIR_ERROR_DOMAINS[fields.domain];
    this.level = fields.level;
    this.levelName = VIR_ERROR_LEVELS[fields.level];
    this.libvirtMessage = libvirtMessage;
    this.str1 = fields.str1;
    this.str2 = fields.str2;
    this.str3 = fields.str3;
    this.int1 = fields.int1;
    this.int2 = fields.int2;
  }
}

/**
 * The connection ended (peer closed, socket error, a protocol error, or `close()`) while
 * `procedure` was in flight (undefined for other waiters). `reason` says why; `cause` keeps
 * the underlying error.
 */
export class LibvirtConnectionClosedError extends LibvirtError {
  constructor(
    readonly procedure: string | undefined,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(
      'CONNECTION_CLOSED',
      procedure === undefined
        ? `libvirt connection closed: ${reason}`
        : `libvirt connection closed while "${procedure}" was in flight: ${reason}`,
      options,
    );
    this.name = 'LibvirtConnectionClosedError';
  }
}

/** Connecting to `uri` failed (socket missing, refused, or the daemon refused to open). */
export class LibvirtConnectError extends LibvirtError {
  constructor(
    readonly uri: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('CONNECT_FAILED', `cannot connect to ${uri}: ${message}`, options);
    this.name = 'LibvirtConnectError';
  }
}

/** `what` did not complete within `timeoutMs`. */
export class LibvirtTimeoutError extends LibvirtError {
  constructor(
    readonly what: string,
    readonly timeoutMs: number,
  ) {
    super('TIMEOUT', `${what} timed out after ${timeoutMs} ms`);
    this.name = 'LibvirtTimeoutError';
  }
}

/** The caller's AbortSignal fired; a reply that still comes is dropped. */
export class LibvirtAbortError extends LibvirtError {
  constructor(
    readonly what: string,
    reason: unknown,
  ) {
    super('ABORTED', `${what} aborted`, { cause: reason });
    this.name = 'LibvirtAbortError';
  }
}

/** An argument passed to this library is invalid; `argument` names it. */
export class LibvirtArgumentError extends LibvirtError {
  constructor(
    readonly argument: string,
    message: string,
  ) {
    super('INVALID_ARGUMENT', `${argument}: ${message}`);
    this.name = 'LibvirtArgumentError';
  }
}

/** Something this client does not do (yet): an auth scheme, a URI transport. */
export class LibvirtUnsupportedError extends LibvirtError {
  constructor(message: string) {
    super('UNSUPPORTED', message);
    this.name = 'LibvirtUnsupportedError';
  }
}

/** A protocol definition (`.x` file) could not be parsed; `file` and `line` say where. */
export class XdrSchemaError extends LibvirtError {
  constructor(
    readonly file: string,
    readonly line: number,
    message: string,
  ) {
    super('SCHEMA_ERROR', `${file}:${line}: ${message}`);
    this.name = 'XdrSchemaError';
  }
}
