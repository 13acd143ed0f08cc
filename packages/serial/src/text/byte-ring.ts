/**
 * A fixed-capacity ring of the most recent raw bytes. Writing never allocates after
 * construction; reading copies out the retained tail in order.
 */
export class ByteRing {
  readonly #buffer: Buffer;
  #end = 0;
  #size = 0;
  #total = 0;

  constructor(readonly capacity: number) {
    this.#buffer = Buffer.alloc(capacity);
  }

  /** Bytes written since creation (including those since overwritten). */
  get total(): number {
    return this.#total;
  }

  get size(): number {
    return this.#size;
  }

  write(chunk: Uint8Array): void {
    this.#total += chunk.length;
    const cap = this.capacity;
    if (cap === 0) return;
    let data = chunk;
    if (data.length >= cap) data = data.subarray(data.length - cap);
    const first = Math.min(data.length, cap - this.#end);
    this.#buffer.set(data.subarray(0, first), this.#end);
    if (first < data.length) this.#buffer.set(data.subarray(first), 0);
    this.#end = (this.#end + data.length) % cap;
    this.#size = Math.min(cap, this.#size + data.length);
  }

  /** The last `count` retained bytes (all by default), oldest first. */
  read(count = this.#size): Buffer {
    const n = Math.min(count, this.#size);
    const start = (this.#end - n + this.capacity) % this.capacity;
    if (start + n <= this.capacity) return Buffer.from(this.#buffer.subarray(start, start + n));
    return Buffer.concat([
      this.#buffer.subarray(start),
      this.#buffer.subarray(0, n - (this.capacity - start)),
    ]);
  }
}
