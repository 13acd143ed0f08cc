import { DecodeError, EncodeError } from '../errors.js';
import type { Qid } from './types.js';

// The 9P wire format in one place: the frame header and the field codecs. The compiled
// encoders and decoders (compile.ts) are the fast path for whole messages and take their
// layout from here; Reader and Writer walk the same layout for everything else (directory
// entries, tools, tests).

/** size[4] type[1] tag[2]: every frame starts with this. */
export const HEADER_SIZE = 7;
/** Offsets of the header fields inside a frame. */
export const SIZE_AT = 0;
export const TYPE_AT = 4;
export const TAG_AT = 5;

/** Bytes of each fixed-width field: integers are little-endian, a qid is type[1] version[4] path[8]. */
export const FIELD_BYTES = { u8: 1, u16: 2, u32: 4, u64: 8, qid: 13 } as const;
/** Largest value of each integer field. */
export const FIELD_MAX = { u8: 0xff, u16: 0xffff, u32: 0xffffffff } as const;
export const MAX_U64 = (1n << 64n) - 1n;
/** Length prefix of s[2] strings and count prefix of qid and string lists. */
export const LENGTH_BYTES = FIELD_BYTES.u16;
/** Count prefix of data fields (count[4] data). */
export const COUNT_BYTES = FIELD_BYTES.u32;

/** The header of a frame, read without decoding the body. */
export interface FrameHeader {
  size: number;
  type: number;
  tag: number;
}

export function readHeader(frame: Buffer): FrameHeader {
  if (frame.length < HEADER_SIZE) {
    throw new DecodeError(`frame of ${frame.length} bytes is shorter than the header`, 0);
  }
  return {
    size: frame.readUInt32LE(SIZE_AT),
    type: frame[TYPE_AT] as number,
    tag: frame.readUInt16LE(TAG_AT),
  };
}

/** The size field of a frame that starts at `at` (at least 4 bytes must be there). */
export function readFrameSize(buf: Buffer, at = 0): number {
  return buf.readUInt32LE(at + SIZE_AT);
}

/**
 * Writes size[4] type[1] tag[2] at the start of `buf`; the caller checked the values (the
 * compiled encoders check tag, type comes from the message table).
 */
export function writeHeader(buf: Buffer, size: number, type: number, tag: number): void {
  buf.writeUInt32LE(size, SIZE_AT);
  buf[TYPE_AT] = type;
  buf.writeUInt16LE(tag, TAG_AT);
}

/** Bytes in front of the data of a frame whose one field is count[4] data (Rread, Rreaddir). */
export const DATA_FRAME_HEAD = HEADER_SIZE + COUNT_BYTES;

/**
 * The header and count of a frame whose body is count[4] data, so the data can go out
 * behind it as is, without being copied into a frame buffer.
 */
export function dataFrameHead(type: number, tag: number, dataLength: number): Buffer {
  const head = Buffer.allocUnsafe(DATA_FRAME_HEAD);
  writeHeader(head, DATA_FRAME_HEAD + dataLength, type, tag);
  head.writeUInt32LE(dataLength, HEADER_SIZE);
  return head;
}

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
    return this.buf.readUInt8(this.need(FIELD_BYTES.u8, what));
  }

  u16(what = 'u16'): number {
    return this.buf.readUInt16LE(this.need(FIELD_BYTES.u16, what));
  }

  u32(what = 'u32'): number {
    return this.buf.readUInt32LE(this.need(FIELD_BYTES.u32, what));
  }

  u64(what = 'u64'): bigint {
    return this.buf.readBigUInt64LE(this.need(FIELD_BYTES.u64, what));
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
    const at = this.need(FIELD_BYTES.qid, what);
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
    this.checkInt(value, FIELD_MAX.u8, field);
    const at = this.ensure(FIELD_BYTES.u8);
    this.buf.writeUInt8(value, at);
    return this;
  }

  u16(value: number, field = 'u16'): this {
    this.checkInt(value, FIELD_MAX.u16, field);
    const at = this.ensure(FIELD_BYTES.u16);
    this.buf.writeUInt16LE(value, at);
    return this;
  }

  u32(value: number, field = 'u32'): this {
    this.checkInt(value, FIELD_MAX.u32, field);
    const at = this.ensure(FIELD_BYTES.u32);
    this.buf.writeUInt32LE(value, at);
    return this;
  }

  u64(value: bigint, field = 'u64'): this {
    if (typeof value !== 'bigint' || value < 0n || value > MAX_U64) {
      throw new EncodeError(`${String(value)} is not a bigint in 0..2^64-1`, field);
    }
    const at = this.ensure(FIELD_BYTES.u64);
    this.buf.writeBigUInt64LE(value, at);
    return this;
  }

  str(value: string, field = 'string'): this {
    const len = Buffer.byteLength(value, 'utf8');
    if (len > FIELD_MAX.u16) throw new EncodeError(`${len} bytes is longer than 65535`, field);
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
    this.buf.writeUInt32LE(this.offset, SIZE_AT);
    return this.buf.subarray(0, this.offset);
  }

  finish(): Buffer {
    return this.buf.subarray(0, this.offset);
  }
}
