/**
 * Lossless JSON for QMP. QAPI's `int`, `int64`, `uint64` and `size` are 64-bit, and a plain
 * `JSON.parse` silently rounds anything beyond 2^53 (a `uint64` of 18446744073709551615 would
 * come back as 18446744073709552000). Here an integer literal that is not a safe integer is
 * decoded as a `bigint`; every other number stays a `number`. Encoding accepts `bigint`
 * anywhere and writes its exact digits.
 *
 * Lines without a run of 16+ digits (almost all of them) take the plain `JSON.parse` path.
 */

// A NUL-prefixed marker cannot come from the scanner's own output colliding with QEMU text
// by accident: the scanner only rewrites number tokens, never string contents.
const MARKER = '\u0000qmp-bigint:';
const MAYBE_BIG = /\d{16}/;
// The same marker as it is written inside JSON text (JSON forbids a raw NUL in strings).
const MARKER_IN_JSON = '\\u0000qmp-bigint:';

export function parseJson(text: string): unknown {
  if (!MAYBE_BIG.test(text)) return JSON.parse(text);
  const rewritten = quoteUnsafeIntegers(text);
  if (rewritten === text) return JSON.parse(text);
  return JSON.parse(rewritten, reviveBigInt);
}

function reviveBigInt(_key: string, value: unknown): unknown {
  if (typeof value === 'string' && value.startsWith(MARKER)) {
    return BigInt(value.slice(MARKER.length));
  }
  return value;
}

/** Wraps integer tokens outside strings that exceed the safe range in marker strings. */
function quoteUnsafeIntegers(text: string): string {
  let out = '';
  let copied = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) i += 2;
        else if (d === 0x22) break;
        else i++;
      }
      i++;
      continue;
    }
    if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
      const start = i;
      i++;
      let integer = true;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d >= 0x30 && d <= 0x39) i++;
        else if (d === 0x2e || d === 0x65 || d === 0x45 || d === 0x2b || d === 0x2d) {
          integer = false;
          i++;
        } else break;
      }
      const token = text.slice(start, i);
      if (integer && token.length >= 16 && /^-?(0|[1-9]\d*)$/.test(token)) {
        if (!Number.isSafeInteger(Number(token))) {
          out += `${text.slice(copied, start)}"${MARKER_IN_JSON}${token}"`;
          copied = i;
        }
      }
      continue;
    }
    i++;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

const MARKER_PATTERN = /"\\u0000qmp-bigint:(-?\d+)"/g;

/** JSON.stringify that writes `bigint` values as exact integer literals. */
export function stringifyJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (err) {
    if (!(err instanceof TypeError)) throw err;
  }
  const text = JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'bigint' ? `${MARKER}${v.toString()}` : v,
  );
  return text.replace(MARKER_PATTERN, '$1');
}
