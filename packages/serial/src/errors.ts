/**
 * Every error this package throws is a `SerialError` with a stable `code`, so callers can
 * branch on `err.code` instead of parsing messages. Subclasses carry the fields that say what
 * was wrong and where (the endpoint, the patterns, the last console output).
 */
export type SerialErrorCode =
  | 'INVALID_OPTION'
  | 'INVALID_ENDPOINT'
  | 'ENDPOINT_NOT_FOUND'
  | 'ENDPOINT_OPEN_FAILED'
  | 'ENDPOINT_READ_ONLY'
  | 'CONSOLE_CLOSED'
  | 'EXPECT_TIMEOUT'
  | 'EXPECT_WINDOW_EXCEEDED'
  | 'ABORTED'
  | 'LOGIN_FAILED'
  | 'INVALID_DOMAIN_XML'
  | 'CONSOLE_NOT_FOUND';

export class SerialError extends Error {
  readonly code: SerialErrorCode;

  constructor(code: SerialErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SerialError';
    this.code = code;
  }
}

/** An option is invalid; `option` names it. */
export class InvalidOptionError extends SerialError {
  constructor(
    readonly option: string,
    message: string,
  ) {
    super('INVALID_OPTION', `${option}: ${message}`);
    this.name = 'InvalidOptionError';
  }
}

/** An endpoint description (`unix:/path`, `tcp:host:port`, ...) cannot be understood. */
export class InvalidEndpointError extends SerialError {
  constructor(
    readonly endpoint: string,
    message: string,
  ) {
    super('INVALID_ENDPOINT', `endpoint "${endpoint}": ${message}`);
    this.name = 'InvalidEndpointError';
  }
}

/** The device, socket or file behind an endpoint does not exist (or nobody listens). */
export class EndpointNotFoundError extends SerialError {
  constructor(
    readonly endpoint: string,
    options?: { cause?: unknown },
  ) {
    super('ENDPOINT_NOT_FOUND', `${endpoint} does not exist or nobody listens on it`, options);
    this.name = 'EndpointNotFoundError';
  }
}

/** The endpoint exists but could not be opened; `cause` holds the system error. */
export class EndpointOpenError extends SerialError {
  constructor(
    readonly endpoint: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super('ENDPOINT_OPEN_FAILED', `cannot open ${endpoint}: ${reason}`, options);
    this.name = 'EndpointOpenError';
  }
}

/** Something was written to an endpoint that is only read (a followed log file). */
export class ReadOnlyEndpointError extends SerialError {
  constructor(readonly endpoint: string) {
    super('ENDPOINT_READ_ONLY', `${endpoint} is read-only: it cannot be written to`);
    this.name = 'ReadOnlyEndpointError';
  }
}

/**
 * The console's stream ended or failed (peer closed, device vanished) while something waited
 * on it; `output` holds the last console text.
 */
export class ConsoleClosedError extends SerialError {
  constructor(
    message: string,
    readonly output: string,
    options?: { cause?: unknown },
  ) {
    super('CONSOLE_CLOSED', withOutput(message, output), options);
    this.name = 'ConsoleClosedError';
  }
}

/** No pattern matched in time; `output` holds the last 2 KB of console text. */
export class ExpectTimeoutError extends SerialError {
  constructor(
    readonly patterns: readonly (string | RegExp)[],
    readonly timeout: number,
    readonly output: string,
  ) {
    super(
      'EXPECT_TIMEOUT',
      withOutput(`none of ${describePatterns(patterns)} appeared within ${timeout} ms`, output),
    );
    this.name = 'ExpectTimeoutError';
  }
}

/**
 * More than `historySize` characters arrived while an `expect` waited, without a match: the
 * start of its `before` text is gone, so the wait ends here rather than hand out a match with
 * silently truncated text. `limit` names the option, `max` its value; the console stays open.
 */
export class ExpectWindowExceededError extends SerialError {
  readonly limit = 'historySize';

  constructor(
    readonly patterns: readonly (string | RegExp)[],
    readonly max: number,
    readonly output: string,
  ) {
    super(
      'EXPECT_WINDOW_EXCEEDED',
      withOutput(
        `more than ${max} characters (historySize) arrived without ${describePatterns(patterns)}`,
        output,
      ),
    );
    this.name = 'ExpectWindowExceededError';
  }
}

/** The caller's AbortSignal fired; `cause` is the signal's reason. */
export class AbortedError extends SerialError {
  constructor(
    what: string,
    readonly output: string,
    options?: { cause?: unknown },
  ) {
    super('ABORTED', withOutput(`${what} was aborted`, output), options);
    this.name = 'AbortedError';
  }
}

/** The login prompt sequence failed (wrong password, unexpected prompt). */
export class LoginFailedError extends SerialError {
  constructor(
    readonly user: string,
    reason: string,
    readonly output: string,
  ) {
    super('LOGIN_FAILED', withOutput(`login as "${user}" failed: ${reason}`, output));
    this.name = 'LoginFailedError';
  }
}

/** A libvirt domain XML could not be read; `path` says where in the document. */
export class InvalidDomainXmlError extends SerialError {
  constructor(
    readonly path: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('INVALID_DOMAIN_XML', `domain XML ${path}: ${message}`, options);
    this.name = 'InvalidDomainXmlError';
  }
}

/** A libvirt domain has no serial or console device this package can reach. */
export class ConsoleNotFoundError extends SerialError {
  constructor(
    readonly domain: string,
    reason: string,
  ) {
    super('CONSOLE_NOT_FOUND', `domain "${domain}": ${reason}`);
    this.name = 'ConsoleNotFoundError';
  }
}

export function describePatterns(patterns: readonly (string | RegExp)[]): string {
  return patterns.map((p) => (typeof p === 'string' ? JSON.stringify(p) : String(p))).join(', ');
}

function withOutput(message: string, output: string): string {
  return output ? `${message}\n--- last console output ---\n${output}` : message;
}
