import { InvalidValueError, MalformedValueError } from './errors.js';

/**
 * libvirt's size units (formatdomain "Memory Allocation"): `b`/`bytes`, then a prefix letter
 * K M G T P E alone or with `iB` meaning powers of 1024, and with `B` meaning powers of 1000.
 * Matching is case-insensitive, as in libvirt's own parser.
 */
export type SizeUnit = string;

/** A size as written in XML: the number and the unit it was written in. */
export interface Size {
  value: number;
  unit: SizeUnit;
}

/** What builders accept: bytes-free shorthand `'2 GiB'`, `{ value, unit }`, or a number in `defaultUnit`. */
export type SizeInput = number | string | Size;

const PREFIXES = 'kmgtpe';

/** Bytes per one `unit`, or undefined when libvirt would not accept the unit. */
export function unitFactor(unit: string): number | undefined {
  const u = unit.toLowerCase();
  if (u === 'b' || u === 'byte' || u === 'bytes') return 1;
  const power = PREFIXES.indexOf(u.charAt(0)) + 1;
  if (power === 0) return undefined;
  const rest = u.slice(1);
  if (rest === '' || rest === 'ib') return 1024 ** power;
  if (rest === 'b') return 1000 ** power;
  return undefined;
}

export function sizeToBytes(size: Size): number {
  const factor = unitFactor(size.unit);
  if (factor === undefined) throw new InvalidValueError('unit', size.unit, 'unknown size unit');
  return size.value * factor;
}

/** Normalizes any `SizeInput` to a `{ value, unit }` pair, checking both. */
export function toSize(input: SizeInput, path: string, defaultUnit = 'KiB'): Size {
  let size: Size;
  if (typeof input === 'number') size = { value: input, unit: defaultUnit };
  else if (typeof input === 'string') {
    const match = /^\s*(\d+)\s*([A-Za-z]*)\s*$/.exec(input);
    if (!match)
      throw new InvalidValueError(path, input, "expected a size like '2 GiB' or '512MiB'");
    size = { value: Number(match[1]), unit: match[2] || defaultUnit };
  } else size = { value: input.value, unit: input.unit };
  if (!Number.isSafeInteger(size.value) || size.value < 0) {
    throw new InvalidValueError(path, input, 'size must be a non-negative integer');
  }
  if (unitFactor(size.unit) === undefined) {
    throw new InvalidValueError(
      path,
      input,
      `unknown unit "${size.unit}" (use b, KiB, MiB, GiB, TiB, KB, MB, GB...)`,
    );
  }
  return size;
}

/**
 * Reads `<x unit='...'>N</x>`-style values; libvirt's default unit applies when absent. A
 * number that is not a non-negative integer, or a unit libvirt does not know, is a
 * `MalformedValueError` naming `path` (`path.unit` for the unit).
 */
export function readSize(
  path: string,
  value: string | undefined,
  unit: string | undefined,
  defaultUnit: string,
): Size | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  const n = /^\d{1,16}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n))
    throw new MalformedValueError(path, value, 'a non-negative integer');
  if (unit !== undefined && unitFactor(unit) === undefined) {
    throw new MalformedValueError(
      `${path}.unit`,
      unit,
      'a size unit (b, KiB, MiB, GiB, KB, MB...)',
    );
  }
  return { value: n, unit: unit ?? defaultUnit };
}
