import { Decoder, Encoder } from 'cbor-x';
import { MessageError } from '../errors.js';

// Plain CBOR maps both ways: no shared structures (the peer is untrusted and stateless).
const encoder = new Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false });
const decoder = new Decoder({ useRecords: false, mapsAsObjects: true });

/**
 * Deepest nesting of arrays and maps accepted in a body. Ours nest a few levels; deeper
 * input would overflow the stack of every recursive walk after decoding (zod, JSON, logs).
 */
export const MAX_BODY_DEPTH = 64;

export function encodeBody(value: unknown): Uint8Array {
  return encoder.encode(value);
}

/**
 * Decodes one CBOR body; anything else (truncated, trailing bytes, bad major type, nesting
 * past `MAX_BODY_DEPTH`, values plain CBOR data cannot be) throws a `MessageError`.
 */
export function decodeBody(bytes: Uint8Array): unknown {
  if (bytes.length === 0) return undefined;
  let value: unknown;
  try {
    const values = decoder.decodeMultiple(bytes) as unknown[] | undefined;
    if (!Array.isArray(values) || values.length !== 1) {
      throw new MessageError('DECODE', 'a frame body holds exactly one CBOR value');
    }
    value = values[0];
  } catch (error) {
    if (error instanceof MessageError) throw error;
    // A RangeError here is nesting deep enough to exhaust cbor-x's recursion.
    const reason =
      error instanceof RangeError
        ? `nested deeper than ${MAX_BODY_DEPTH} levels`
        : (error as Error).message;
    throw new MessageError('DECODE', `invalid CBOR body: ${reason}`, { cause: error });
  }
  checkPlainData(value);
  return value;
}

/**
 * cbor-x turns CBOR tags into live objects: Dates, RegExps, Errors, Sets, Maps, typed arrays,
 * and shared references (tags 28/29) that make one object appear twice or contain itself.
 * Bodies carry plain data only, so anything else is refused here, where it enters, with the
 * path to it. Seen objects are tracked, so a shared-reference graph cannot make this walk
 * exponential and a cycle cannot make it endless.
 */
function checkPlainData(root: unknown): void {
  const seen = new Set<object>();
  const walk = (value: unknown, path: string, depth: number): void => {
    if (value === null || typeof value !== 'object') {
      if (typeof value === 'function' || typeof value === 'symbol') fail(path, typeof value);
      return;
    }
    if (value instanceof Uint8Array && value.constructor === Buffer) return;
    if (value instanceof Uint8Array && Object.getPrototypeOf(value) === Uint8Array.prototype)
      return;
    if (seen.has(value)) fail(path, 'a shared or cyclic reference');
    seen.add(value);
    if (depth >= MAX_BODY_DEPTH) {
      throw new MessageError(
        'DECODE',
        `invalid CBOR body: ${path} is nested deeper than ${MAX_BODY_DEPTH} levels`,
      );
    }
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) walk(value[i], `${path}[${i}]`, depth + 1);
      return;
    }
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      fail(path, `a ${(value as object).constructor?.name ?? 'non-plain'} object`);
    }
    for (const [key, child] of Object.entries(value)) {
      walk(child, `${path}.${key.length > 64 ? `${key.slice(0, 64)}...` : key}`, depth + 1);
    }
  };
  walk(root, 'body', 0);
}

function fail(path: string, what: string): never {
  throw new MessageError('DECODE', `invalid CBOR body: ${path} is ${what}, not plain data`);
}
