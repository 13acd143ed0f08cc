import { Decoder, Encoder } from 'cbor-x';
import { MessageError } from '../errors.js';

// Plain CBOR maps both ways: no shared structures (the peer is untrusted and stateless).
const encoder = new Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false });
const decoder = new Decoder({ useRecords: false, mapsAsObjects: true });

export function encodeBody(value: unknown): Uint8Array {
  return encoder.encode(value);
}

/** Decodes one CBOR body; anything else (truncated, trailing bytes, bad major type) throws. */
export function decodeBody(bytes: Uint8Array): unknown {
  if (bytes.length === 0) return undefined;
  try {
    const values = decoder.decodeMultiple(bytes) as unknown[] | undefined;
    if (!Array.isArray(values) || values.length !== 1) {
      throw new MessageError('DECODE', 'a frame body holds exactly one CBOR value');
    }
    return values[0];
  } catch (error) {
    if (error instanceof MessageError) throw error;
    throw new MessageError('DECODE', `invalid CBOR body: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
