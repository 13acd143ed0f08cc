import type { Timespec } from '../server/filesystem.js';

/** Wall-clock time with nanosecond fields (millisecond resolution, like Date). */
export function nowTimespec(): Timespec {
  const ms = BigInt(Date.now());
  return { sec: ms / 1000n, nsec: (ms % 1000n) * 1_000_000n };
}
