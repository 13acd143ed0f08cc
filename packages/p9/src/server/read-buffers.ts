/**
 * Reusable buffers for large reads. A fresh 1 MiB Buffer per Tread is a fresh mmap: 256 page
 * faults the kernel zeroes, then an munmap when the garbage collector gets to it. A backend
 * takes its read buffer here; the server gives it back once the reply carrying it has been
 * written to the socket (never earlier: until then the socket still reads from it).
 */

/** Reads smaller than this use ordinary Buffers (Node's own pool and malloc serve them well). */
const MIN_POOLED = 64 * 1024;
/** Free buffers kept per size class: enough for the requests a few connections have in flight. */
const KEEP_PER_CLASS = 8;

const free = new Map<number, Buffer[]>();
/** The whole buffer each pooled allocation came from, by its memory. */
const owners = new WeakMap<ArrayBufferLike, Buffer>();

function sizeClass(size: number): number {
  return 2 ** Math.ceil(Math.log2(size));
}

/** A buffer of at least `size` bytes (its first `size` bytes are returned), maybe reused. */
export function takeReadBuffer(size: number): Buffer {
  if (size < MIN_POOLED) return Buffer.allocUnsafe(size);
  const cls = sizeClass(size);
  const whole = free.get(cls)?.pop() ?? Buffer.allocUnsafeSlow(cls);
  owners.set(whole.buffer, whole);
  return whole.subarray(0, size);
}

/**
 * Returns the memory behind `data` (any view of a buffer from takeReadBuffer) to the pool.
 * Anything else is ignored, so the server can call it for every reply it has written.
 */
export function releaseReadBuffer(data: Uint8Array): void {
  const whole = owners.get(data.buffer);
  if (!whole) return;
  owners.delete(data.buffer);
  let list = free.get(whole.length);
  if (!list) {
    list = [];
    free.set(whole.length, list);
  }
  if (list.length < KEEP_PER_CLASS) list.push(whole);
}
