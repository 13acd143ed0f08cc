/**
 * Appends XDR primitives to a growing buffer. Range checks belong to the codec (which knows
 * the field's name); the writer only lays out bytes.
 */
export class XdrWriter {
  private buffer: Uint8Array;
  private view: DataView;
  length = 0;

  constructor(initialSize = 256) {
    this.buffer = new Uint8Array(initialSize);
    this.view = new DataView(this.buffer.buffer);
  }

  private ensure(n: number): void {
    const needed = this.length + n;
    if (needed <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < needed) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buffer.subarray(0, this.length));
    this.buffer = next;
    this.view = new DataView(next.buffer);
  }

  int(v: number): void {
    this.ensure(4);
    this.view.setInt32(this.length, v);
    this.length += 4;
  }

  uint(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.length, v);
    this.length += 4;
  }

  hyper(v: bigint): void {
    this.ensure(8);
    this.view.setBigInt64(this.length, v);
    this.length += 8;
  }

  uhyper(v: bigint): void {
    this.ensure(8);
    this.view.setBigUint64(this.length, v);
    this.length += 8;
  }

  float(v: number): void {
    this.ensure(4);
    this.view.setFloat32(this.length, v);
    this.length += 4;
  }

  double(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.length, v);
    this.length += 8;
  }

  /** Raw bytes followed by zero padding to a multiple of 4. */
  bytes(data: Uint8Array): void {
    const padded = (data.length + 3) & ~3;
    this.ensure(padded);
    this.buffer.set(data, this.length);
    this.buffer.fill(0, this.length + data.length, this.length + padded);
    this.length += padded;
  }

  /** Overwrites a 32-bit unsigned value written earlier (a length prefix). */
  patchUint(at: number, v: number): void {
    this.view.setUint32(at, v);
  }

  /** The bytes written so far (a view: copy it before writing more if you keep it). */
  finish(): Uint8Array {
    return this.buffer.subarray(0, this.length);
  }
}
