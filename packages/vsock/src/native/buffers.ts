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
