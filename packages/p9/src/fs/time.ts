import type { Timespec } from '../server/filesystem.js';

/** Wall-clock time with nanosecond fields (millisecond resolution, like Date). */
export function nowTimespec(): Timespec {
  const ms = BigInt(Date.now());
  return { sec: ms / 1000n, nsec: (ms % 1000n) * 1_000_000n };
}

export function timespecFromNs(ns: bigint): Timespec {
  return { sec: ns / 1_000_000_000n, nsec: ns % 1_000_000_000n };
}

/** Seconds as a float, for Node's fs.utimes. */
export function timespecToSeconds(t: Timespec): number {
  return Number(t.sec) + Number(t.nsec) / 1e9;
}
