import { EncodeError } from '../errors.js';
import type { Qid } from './types.js';

const MAX_U64 = (1n << 64n) - 1n;

/**
 * Little-endian writer that grows its buffer and back-patches the frame size at the end.
 * Values out of range throw EncodeError naming the field instead of wrapping silently.
 */
export class Writer {
  private buf: Buffer;
  private offset = 0;

  constructor(initial = 256) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  private ensure(n: number): number {
    if (this.offset + n > this.buf.length) {
      const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.offset + n));
      this.buf.copy(next, 0, 0, this.offset);
      this.buf = next;
    }
    const at = this.offset;
    this.offset += n;
    return at;
  }

  private checkInt(value: number, max: number, field: string): void {
    if (!Number.isInteger(value) || value < 0 || value > max) {
      throw new EncodeError(`${value} is not an integer in 0..${max}`, field);
    }
  }

  u8(value: number, field = 'u8'): this {
    this.checkInt(value, 0xff, field);
    const at = this.ensure(1);
    this.buf.writeUInt8(value, at);
    return this;
  }

  u16(value: number, field = 'u16'): this {
    this.checkInt(value, 0xffff, field);
    const at = this.ensure(2);
    this.buf.writeUInt16LE(value, at);
    return this;
  }

  u32(value: number, field = 'u32'): this {
    this.checkInt(value, 0xffffffff, field);
    const at = this.ensure(4);
    this.buf.writeUInt32LE(value, at);
    return this;
  }

  u64(value: bigint, field = 'u64'): this {
    if (typeof value !== 'bigint' || value < 0n || value > MAX_U64) {
      throw new EncodeError(`${String(value)} is not a bigint in 0..2^64-1`, field);
    }
    const at = this.ensure(8);
    this.buf.writeBigUInt64LE(value, at);
    return this;
  }

  str(value: string, field = 'string'): this {
    const len = Buffer.byteLength(value, 'utf8');
    if (len > 0xffff) throw new EncodeError(`${len} bytes is longer than 65535`, field);
    this.u16(len, field);
    const at = this.ensure(len);
    this.buf.write(value, at, len, 'utf8');
    return this;
  }

  bytes(data: Uint8Array): this {
    const at = this.ensure(data.length);
    this.buf.set(data, at);
    return this;
  }

  qid(q: Qid, field = 'qid'): this {
    this.u8(q.type, `${field}.type`);
    this.u32(q.version, `${field}.version`);
    this.u64(q.path, `${field}.path`);
    return this;
  }

  get length(): number {
    return this.offset;
  }

  /** Writes size[4] at offset 0 (the caller reserved it) and returns the bytes. */
  frame(): Buffer {
    this.buf.writeUInt32LE(this.offset, 0);
    return this.buf.subarray(0, this.offset);
  }

  finish(): Buffer {
    return this.buf.subarray(0, this.offset);
  }
}
