/**
 * Every error this package throws is a `LibvirtXmlError` with a stable `code`, so callers can
 * branch on `err.code` instead of parsing messages. Subclasses keep what was wrong and where.
 */
export type LibvirtXmlErrorCode =
  | 'XML_MALFORMED'
  | 'XML_FORBIDDEN'
  | 'XML_TOO_LARGE'
  | 'WRONG_ROOT'
  | 'INVALID_VALUE'
  | 'MALFORMED_VALUE';

export class LibvirtXmlError extends Error {
  readonly code: LibvirtXmlErrorCode;

  constructor(code: LibvirtXmlErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LibvirtXmlError';
    this.code = code;
  }
}

/** The input is not well-formed XML; `line` and `column` point at the problem when known. */
export class XmlMalformedError extends LibvirtXmlError {
  constructor(
    message: string,
    readonly line?: number,
    readonly column?: number,
    options?: { cause?: unknown },
  ) {
    super(
      'XML_MALFORMED',
      line === undefined
        ? `malformed XML: ${message}`
        : `malformed XML at ${line}:${column}: ${message}`,
      options,
    );
    this.name = 'XmlMalformedError';
  }
}

/**
 * The input declares a DOCTYPE or entities. libvirt documents never need them, and refusing
 * them outright closes the door on entity expansion (billion laughs) and external entities (XXE).
 */
export class XmlForbiddenError extends LibvirtXmlError {
  constructor(readonly construct: string) {
    super('XML_FORBIDDEN', `XML ${construct} declarations are not accepted (no DTDs, no entities)`);
    this.name = 'XmlForbiddenError';
  }
}

/** The input is larger than the parser's `maxSize` (in characters). */
export class XmlTooLargeError extends LibvirtXmlError {
  constructor(
    readonly size: number,
    readonly maxSize: number,
  ) {
    super('XML_TOO_LARGE', `XML input of ${size} characters exceeds the limit of ${maxSize}`);
    this.name = 'XmlTooLargeError';
  }
}

/** The document's root element is not the one asked for (e.g. `<network>` given to parseDomain). */
export class WrongRootError extends LibvirtXmlError {
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super('WRONG_ROOT', `expected a <${expected}> document, got <${actual}>`);
    this.name = 'WrongRootError';
  }
}

/** A value given to a builder or setter is invalid; `path` names the field (`devices.interfaces[1].mac`). */
export class InvalidValueError extends LibvirtXmlError {
  constructor(
    readonly path: string,
    readonly value: unknown,
    readonly reason: string,
  ) {
    super('INVALID_VALUE', `${path}: invalid value ${JSON.stringify(value)}: ${reason}`);
    this.name = 'InvalidValueError';
  }
}

/**
 * A typed getter met a value in the document that is not of its type (`<vcpu>abc</vcpu>`,
 * `slot="zz"`, `autoport="maybe"`). Parsing keeps such documents as they are (round trips stay
 * lossless); reading the value says it is bad instead of returning `undefined`.
 * `DocumentView.problems()` lists every such value without throwing.
 */
export class MalformedValueError extends LibvirtXmlError {
  constructor(
    readonly path: string,
    readonly value: string,
    readonly expected: string,
  ) {
    super(
      'MALFORMED_VALUE',
      `${path}: malformed value ${JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value)} in the document: expected ${expected}`,
    );
    this.name = 'MalformedValueError';
  }
}
