import { LibvirtXdrError } from '../errors.js';

/**
 * Reads XDR primitives from `bytes[offset, end)`. Every read checks the bytes are there first,
 * so nothing past `end` is ever looked at; errors carry the offset.
 */
export class XdrReader {
  private readonly view: DataView;
  offset: number;

  constructor(
    readonly bytes: Uint8Array,
    offset = 0,
    readonly end = bytes.length,
  ) {
    if (offset < 0 || end > bytes.length || offset > end) {
      throw new RangeError(`XdrReader: window [${offset}, ${end}) outside ${bytes.length} bytes`);
    }
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.offset = offset;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  /** Throws unless `n` more bytes are available. */
  need(n: number, what: string): void {
    if (n > this.end - this.offset) {
      throw new LibvirtXdrError(
        '',
        `truncated: ${what} needs ${n} bytes, ${this.end - this.offset} left`,
        this.offset,
      );
    }
  }

  int(): number {
    this.need(4, 'int');
    const v = this.view.getInt32(this.offset);
    this.offset += 4;
    return v;
  }

  uint(): number {
    this.need(4, 'unsigned int');
    const v = this.view.getUint32(this.offset);
    this.offset += 4;
    return v;
  }

  hyper(): bigint {
    this.need(8, 'hyper');
    const v = this.view.getBigInt64(this.offset);
    this.offset += 8;
    return v;
  }

  uhyper(): bigint {
    this.need(8, 'unsigned hyper');
    const v = this.view.getBigUint64(this.offset);
    this.offset += 8;
    return v;
  }

  float(): number {
    this.need(4, 'float');
    const v = this.view.getFloat32(this.offset);
    this.offset += 4;
    return v;
  }

  double(): number {
    this.need(8, 'double');
    const v = this.view.getFloat64(this.offset);
    this.offset += 8;
    return v;
  }

  /** `length` bytes plus their padding to a multiple of 4; a copy the caller owns. */
  opaque(length: number): Uint8Array {
    const padded = (length + 3) & ~3;
    this.need(padded, `${length} bytes of opaque data (padded to ${padded})`);
    const start = this.bytes.byteOffset + this.offset;
    const out = new Uint8Array(this.bytes.buffer.slice(start, start + length));
    this.offset += padded;
    return out;
  }

  /** `length` bytes of UTF-8 plus padding. */
  string(length: number): string {
    const padded = (length + 3) & ~3;
    this.need(padded, `a string of ${length} bytes (padded to ${padded})`);
    const s = textDecoder.decode(this.bytes.subarray(this.offset, this.offset + length));
    this.offset += padded;
    return s;
  }
}

const textDecoder = new TextDecoder('utf-8');
