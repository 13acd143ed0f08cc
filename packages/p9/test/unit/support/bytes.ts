/**
 * Test-only byte builder: the expected wire bytes of the fixtures come from here, written
 * independently of src/protocol/wire.ts so an encoder bug cannot hide in both.
 */
export class Bytes {
  private parts: number[] = [];

  u8(v: number): this {
    this.parts.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    return this.u8(v).u8(v >>> 8);
  }
  u32(v: number): this {
    return this.u16(v & 0xffff).u16(v >>> 16);
  }
  u64(v: bigint): this {
    for (let i = 0n; i < 8n; i++) this.u8(Number((v >> (8n * i)) & 0xffn));
    return this;
  }
  str(s: string): this {
    const b = [...new TextEncoder().encode(s)];
    this.u16(b.length);
    this.parts.push(...b);
    return this;
  }
  raw(b: Iterable<number>): this {
    this.parts.push(...b);
    return this;
  }
  qid(type: number, version: number, path: bigint): this {
    return this.u8(type).u32(version).u64(path);
  }
  get length(): number {
    return this.parts.length;
  }
  /** The body with size[4] type[1] tag[2] in front. */
  frame(type: number, tag: number): Buffer {
    const size = 7 + this.parts.length;
    return Buffer.from(new Bytes().u32(size).u8(type).u16(tag).raw(this.parts).parts);
  }
  buffer(): Buffer {
    return Buffer.from(this.parts);
  }
}

export const b = (): Bytes => new Bytes();
