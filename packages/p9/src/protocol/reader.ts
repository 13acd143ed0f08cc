import { DecodeError } from '../errors.js';
import type { Qid } from './types.js';

/**
 * Little-endian reader over one frame. Every read checks the remaining bytes first and throws
 * DecodeError naming the offset, so a length field can never make a decoder read past the frame.
 */
export class Reader {
  private offset: number;

  constructor(
    private readonly buf: Buffer,
    start = 0,
    private readonly end = buf.length,
    private readonly messageType?: number,
  ) {
    this.offset = start;
  }

  get position(): number {
    return this.offset;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  private need(n: number, what: string): number {
    if (n > this.end - this.offset) {
      throw new DecodeError(
        `${what} needs ${n} bytes but only ${this.end - this.offset} remain`,
        this.offset,
        this.messageType,
      );
    }
    const at = this.offset;
    this.offset += n;
    return at;
  }

  u8(what = 'u8'): number {
    return this.buf.readUInt8(this.need(1, what));
  }

  u16(what = 'u16'): number {
    return this.buf.readUInt16LE(this.need(2, what));
  }

  u32(what = 'u32'): number {
    return this.buf.readUInt32LE(this.need(4, what));
  }

  u64(what = 'u64'): bigint {
    return this.buf.readBigUInt64LE(this.need(8, what));
  }

  /** s[2]: a 16-bit length then that many UTF-8 bytes. */
  str(what = 'string'): string {
    const len = this.u16(`${what} length`);
    const at = this.need(len, what);
    return this.buf.toString('utf8', at, at + len);
  }

  /** Raw bytes, copied out so the frame buffer can be reused. */
  bytes(n: number, what = 'data'): Buffer {
    const at = this.need(n, what);
    return Buffer.from(this.buf.subarray(at, at + n));
  }

  qid(what = 'qid'): Qid {
    const at = this.need(13, what);
    return {
      type: this.buf.readUInt8(at),
      version: this.buf.readUInt32LE(at + 1),
      path: this.buf.readBigUInt64LE(at + 5),
    };
  }

  /** Decoders call this last: trailing bytes mean the frame does not match its type. */
  expectEnd(): void {
    if (this.offset !== this.end) {
      throw new DecodeError(
        `${this.end - this.offset} unexpected trailing bytes`,
        this.offset,
        this.messageType,
      );
    }
  }
}
