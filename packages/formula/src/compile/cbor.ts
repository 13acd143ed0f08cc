import { Decoder, Encoder } from 'cbor-x';
import type { ResolvedFormula } from '../compose/resolved.js';
import { FormulaError } from '../errors.js';

// Plain maps and arrays only: no shared structures or records, so any CBOR decoder (the
// agent's, in another language) reads what this writes.
const encoder = new Encoder({ useRecords: false, mapsAsObjects: true, tagUint8Array: false });
const decoder = new Decoder({ useRecords: false, mapsAsObjects: true });

/** A resolved formula as CBOR (RFC 8949), what the host hands the agent in the portal. */
export function encodeFormulaCbor(formula: ResolvedFormula): Uint8Array {
  return encoder.encode(formula);
}

/** Reads what `encodeFormulaCbor` wrote. */
export function decodeFormulaCbor(bytes: Uint8Array): ResolvedFormula {
  let value: unknown;
  try {
    value = decoder.decode(bytes);
  } catch (error) {
    throw new FormulaError('INVALID_FORMULA', 'not a CBOR-encoded formula', { cause: error });
  }
  if (
    typeof value !== 'object' ||
    value === null ||
    !('kind' in value) ||
    value.kind !== 'Portal'
  ) {
    throw new FormulaError(
      'INVALID_FORMULA',
      'CBOR value is not a resolved formula (kind: Portal)',
    );
  }
  return value as ResolvedFormula;
}
