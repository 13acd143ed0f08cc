/**
 * Sizes as people write them in a formula: `512MiB`, `2G`, `1.5GiB` or a bare number of
 * mebibytes. Decimal (kB, MB, GB, TB) and binary (KiB, MiB, GiB, TiB) suffixes both work; a
 * single letter (K, M, G, T) is binary, like QEMU's `-m 2G`.
 */
export const SIZE_PATTERN = /^([0-9]+(?:\.[0-9]+)?)\s*(B|K|KB|kB|KiB|M|MB|MiB|G|GB|GiB|T|TB|TiB)?$/;

/** The largest size a formula may give (1024 TiB, far past any host): bounds what reaches `-m`. */
export const MAX_SIZE_BYTES = 1024 ** 5;

const MULTIPLIERS: Record<string, number> = {
  B: 1,
  K: 1024,
  KiB: 1024,
  KB: 1000,
  kB: 1000,
  M: 1024 ** 2,
  MiB: 1024 ** 2,
  MB: 1000 ** 2,
  G: 1024 ** 3,
  GiB: 1024 ** 3,
  GB: 1000 ** 3,
  T: 1024 ** 4,
  TiB: 1024 ** 4,
  TB: 1000 ** 4,
};

/** A size in bytes; numbers are mebibytes. Returns undefined when the text is not a size. */
export function parseSize(size: string | number): number | undefined {
  if (typeof size === 'number') {
    return Number.isFinite(size) && size >= 0 ? Math.round(size * 1024 ** 2) : undefined;
  }
  const match = SIZE_PATTERN.exec(size.trim());
  if (!match) return undefined;
  const value = Number(match[1]);
  const multiplier = MULTIPLIERS[match[2] ?? 'MiB'];
  return multiplier === undefined ? undefined : Math.round(value * multiplier);
}

/** Whole mebibytes, rounded up: what QEMU's `-m` and libvirt's `unit='MiB'` take. */
export function sizeInMiB(size: string | number): number {
  const bytes = parseSize(size);
  if (bytes === undefined) throw new RangeError(`not a size: ${String(size)}`);
  return Math.ceil(bytes / 1024 ** 2);
}
