import { InvalidValueError, MalformedValueError } from './errors.js';

/**
 * Value checks applied where values are made (builders and setters). Each throws an
 * `InvalidValueError` naming the path and the bad value.
 */
const MAC = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/;
const UUID = /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/;

export function checkMac(path: string, value: string): string {
  if (!MAC.test(value))
    throw new InvalidValueError(path, value, 'expected a MAC address like 52:54:00:12:34:56');
  // libvirt refuses multicast addresses (low bit of the first octet) for guest NICs.
  if (Number.parseInt(value.slice(0, 2), 16) & 1) {
    throw new InvalidValueError(path, value, 'multicast MAC addresses are not allowed');
  }
  return value.toLowerCase();
}

export function checkUuid(path: string, value: string): string {
  if (!UUID.test(value))
    throw new InvalidValueError(
      path,
      value,
      'expected a UUID like 4dea22b3-1d52-d8f3-2516-782e98ab3fa0',
    );
  return value.toLowerCase();
}

/** Names of domains, networks, pools and volumes: non-empty, no '/', no newline. */
export function checkName(path: string, value: string): string {
  if (typeof value !== 'string' || value.length === 0)
    throw new InvalidValueError(path, value, 'name must not be empty');
  if (value.includes('/')) throw new InvalidValueError(path, value, "name must not contain '/'");
  if (/[\n\r]/.test(value))
    throw new InvalidValueError(path, value, 'name must not contain a newline');
  return value;
}

export function checkEnum<T extends string>(path: string, value: T, allowed: readonly T[]): T {
  if (!allowed.includes(value)) {
    throw new InvalidValueError(path, value, `expected one of ${allowed.join(', ')}`);
  }
  return value;
}

export function checkInt(path: string, value: number, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new InvalidValueError(path, value, `expected an integer from ${min} to ${max}`);
  }
  return value;
}

export function checkNonEmpty(path: string, value: string): string {
  if (typeof value !== 'string' || value.length === 0)
    throw new InvalidValueError(path, value, 'must be a non-empty string');
  return value;
}

export function checkAbsolutePath(path: string, value: string): string {
  if (typeof value !== 'string' || !value.startsWith('/')) {
    throw new InvalidValueError(path, value, 'expected an absolute path');
  }
  return value;
}

/** Integer attributes as libvirt writes them: decimal, or hex with 0x for addresses. */
export function formatHex(value: number, digits: number): string {
  return `0x${value.toString(16).padStart(digits, '0')}`;
}

/**
 * Reads an integer from the document as libvirt writes them (decimal, or hex with 0x);
 * `undefined` when absent, a `MalformedValueError` naming `path` when present but not an integer.
 */
export function readInt(path: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  const n = /^0x[0-9a-f]{1,13}$/i.test(text)
    ? Number.parseInt(text.slice(2), 16)
    : /^[+-]?\d{1,16}$/.test(text)
      ? Number(text)
      : Number.NaN;
  if (!Number.isSafeInteger(n)) throw new MalformedValueError(path, value, 'an integer');
  return n;
}

// Characters XML 1.0 cannot carry at all, not even escaped: C0 controls other than tab, LF and
// CR, U+FFFE/U+FFFF, and surrogates standing alone (\p{Cs} in a /u regex matches only those;
// a proper pair is one astral character).
const NON_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|\p{Cs}/u;

/** Whether XML 1.0 allows the code point (its `Char` production). */
export function isXmlChar(code: number): boolean {
  if (code < 0x20) return code === 0x9 || code === 0xa || code === 0xd;
  if (code <= 0xd7ff) return true;
  if (code <= 0xdfff) return false;
  if (code <= 0xfffd) return true;
  return code >= 0x10000 && code <= 0x10ffff;
}

/** Refuses control characters that no XML document may contain (libvirt would refuse the file). */
export function checkXmlChars(path: string, value: string): string {
  const bad = NON_XML_CHARS.exec(value);
  if (bad) {
    const code = bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    throw new InvalidValueError(
      path,
      value,
      `contains U+${code} at ${bad.index}, a character XML cannot represent`,
    );
  }
  return value;
}

export { NON_XML_CHARS };
