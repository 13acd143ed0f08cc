/** Drops the first `n` bytes from a list of buffers, in place. */
export function consume(buffers: Buffer[], n: number): void {
  while (n > 0 && buffers.length > 0) {
    const first = buffers[0]!;
    if (first.length <= n) {
      n -= first.length;
      buffers.shift();
    } else {
      buffers[0] = first.subarray(n);
      n = 0;
    }
  }
  while (buffers.length > 0 && buffers[0]!.length === 0) buffers.shift();
}

/** Bytes read per system call; larger reads mean fewer trips between C and JS. */
const READ_SIZE = 256 * 1024;
/**
 * Large reads are slices of a shared pool of this size, handed out front to back: one
 * allocation per few reads instead of one per read (fewer external-memory GCs).
 */
const POOL_SIZE = 1024 * 1024;
/** Reads smaller than this are copied out of the pool, so a small chunk kept long pins no pool. */
const COPY_BELOW = 16 * 1024;

/** The read pool shared by all sockets (reads are synchronous, so never two at once). */
let readPool: Buffer | undefined;
/** Where the unused part of readPool starts (kept 8-byte aligned for typed-array views). */
let readOffset = 0;

/** The unused part of the pool, at most READ_SIZE; a fresh pool when less than that is left. */
export function readSpace(): Buffer {
  if (readPool === undefined || readPool.length - readOffset < READ_SIZE) {
    readPool = Buffer.allocUnsafeSlow(POOL_SIZE);
    readOffset = 0;
  }
  return readPool.subarray(readOffset, readOffset + READ_SIZE);
}

/**
 * The chunk for `n` bytes just read into `space` (from `readSpace`). Small reads are copied
 * out and leave the pool's space for the next read; large ones keep their slice of the pool
 * and the next read starts after it.
 */
export function takeRead(space: Buffer, n: number): Buffer {
  if (n < COPY_BELOW) return Buffer.from(space.subarray(0, n));
  readOffset += (n + 7) & ~7;
  return space.subarray(0, n);
}
