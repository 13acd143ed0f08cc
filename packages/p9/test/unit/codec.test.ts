import { describe, expect, it } from 'vitest';
import { DecodeError, EncodeError, FrameError } from '../../src/errors.js';
import { decodeMessage, encodeMessage } from '../../src/protocol/codec.js';
import { decodeDirents, encodeDirents } from '../../src/protocol/dirent.js';
import { FrameDecoder } from '../../src/protocol/framer.js';
import { messageFields } from '../../src/protocol/messages.js';
import { dataFrameHead, Reader, readHeader } from '../../src/protocol/wire.js';
import { fixtures } from './fixtures.js';
import { b } from './support/bytes.js';

describe('codec fixtures', () => {
  it('covers every message kind', () => {
    const covered = new Set(fixtures.map((f) => f.value.type));
    expect([...Object.keys(messageFields)].filter((k) => !covered.has(k as never))).toEqual([]);
  });

  for (const f of fixtures) {
    it(`${f.name}: encodes to the hand-built bytes`, () => {
      expect(encodeMessage(f.value).toString('hex')).toBe(f.bytes.toString('hex'));
    });
    it(`${f.name}: decodes the hand-built bytes`, () => {
      expect(decodeMessage(f.bytes)).toEqual(f.value);
    });
    it(`${f.name}: rejects every truncation and a trailing byte`, () => {
      for (let cut = 7; cut < f.bytes.length; cut++) {
        const short = Buffer.from(f.bytes.subarray(0, cut));
        short.writeUInt32LE(cut, 0);
        expect(() => decodeMessage(short)).toThrow(DecodeError);
      }
      const long = Buffer.concat([f.bytes, Buffer.from([0])]);
      long.writeUInt32LE(long.length, 0);
      expect(() => decodeMessage(long)).toThrow(/trailing/);
    });
  }
});

describe('framer', () => {
  const stream = Buffer.concat(fixtures.map((f) => f.bytes));
  const expected = fixtures.map((f) => f.bytes.toString('hex'));

  it('accepts the whole stream at once', () => {
    const d = new FrameDecoder(1 << 20);
    expect(d.push(stream).map((x) => x.toString('hex'))).toEqual(expected);
    expect(d.pending).toBe(0);
  });

  it('accepts the stream byte by byte', () => {
    const d = new FrameDecoder(1 << 20);
    const out: string[] = [];
    for (let i = 0; i < stream.length; i++) {
      for (const fr of d.push(stream.subarray(i, i + 1))) out.push(fr.toString('hex'));
    }
    expect(out).toEqual(expected);
  });

  it('accepts the stream split at every offset', () => {
    for (let at = 0; at <= stream.length; at++) {
      const d = new FrameDecoder(1 << 20);
      const out = [...d.push(stream.subarray(0, at)), ...d.push(stream.subarray(at))];
      expect(out.map((x) => decodeMessage(x))).toEqual(fixtures.map((f) => f.value));
    }
  });

  it('assembles large frames in place whatever the chunking, and cuts the frames around them', () => {
    const big = (tag: number, n: number) =>
      encodeMessage({
        type: 'Twrite',
        tag,
        fid: 1,
        offset: 0n,
        data: Buffer.alloc(n, tag),
      });
    const small = encodeMessage({ type: 'Tclunk', tag: 9, fid: 3 });
    const all = Buffer.concat([small, big(1, 300_000), small, big(2, 70_000), big(3, 65_500)]);
    const want = [small, big(1, 300_000), small, big(2, 70_000), big(3, 65_500)].map((x) =>
      x.toString('hex'),
    );
    // Chunk sizes like a socket's (64 KiB and odd ones), and splits inside the size field.
    for (const step of [65_536, 1_000, 4_099, 70_001, 3]) {
      const d = new FrameDecoder(1 << 20);
      const out: string[] = [];
      for (let i = 0; i < all.length; i += step) {
        for (const fr of d.push(all.subarray(i, i + step))) out.push(fr.toString('hex'));
        expect(d.pending).toBe(
          Math.min(all.length, i + step) - out.reduce((n, h) => n + h.length / 2, 0),
        );
      }
      expect(out).toEqual(want);
      expect(d.pending).toBe(0);
    }
  });

  it('allocates a large frame only once 64 KiB of it have arrived', () => {
    const d = new FrameDecoder(1 << 20);
    d.push(
      b()
        .u32(1 << 20)
        .u8(118)
        .u16(0)
        .buffer(),
    ); // announces 1 MiB, sends 7 bytes
    expect(d.pending).toBe(7);
    expect(() => d.push(Buffer.alloc(10))).not.toThrow();
    expect(d.pending).toBe(17);
  });

  it('rejects sizes below the header and above msize', () => {
    expect(() => new FrameDecoder(100).push(b().u32(6).u8(0).u16(0).buffer())).toThrow(FrameError);
    expect(() => new FrameDecoder(100).push(b().u32(101).buffer())).toThrow(/exceeds msize 100/);
  });
});

describe('decodeMessage borrowData', () => {
  const twrite = () =>
    encodeMessage({ type: 'Twrite', tag: 1, fid: 2, offset: 5n, data: Buffer.from('abc') });

  it('copies data fields by default, so a recycled frame cannot change a decoded message', () => {
    const frame = twrite();
    const m = decodeMessage(frame) as { data: Buffer };
    frame.fill(0x7a, frame.length - 3);
    expect(m.data.toString()).toBe('abc');
  });

  it('returns views into the frame when the caller owns it', () => {
    const frame = twrite();
    const m = decodeMessage(frame, { borrowData: true }) as { data: Buffer };
    expect(m.data.toString()).toBe('abc');
    frame.fill(0x7a, frame.length - 3);
    expect(m.data.toString()).toBe('zzz');
  });
});

describe('strict bounds', () => {
  it('rejects a string length past the frame', () => {
    const frame = b().u32(0).str('x').u32(0).frame(104, 1); // Tattach with uname but cut after
    expect(() => decodeMessage(frame)).toThrow(DecodeError);
    const lying = b().u32(1).u16(500).raw([0x61]).frame(16, 1); // Tsymlink name
    expect(() => decodeMessage(lying)).toThrow(/needs 500 bytes/);
  });

  it('rejects a data count past the frame, including counts near 2^32', () => {
    expect(() => decodeMessage(b().u32(1).u64(0n).u32(0xffffffff).raw([1]).frame(118, 1))).toThrow(
      DecodeError,
    );
    expect(() => decodeMessage(b().u32(10).raw([1, 2]).frame(117, 1))).toThrow(DecodeError);
  });

  it('rejects walks of more than 16 names and unknown types', () => {
    const w = b().u32(0).u32(1).u16(17);
    for (let i = 0; i < 17; i++) w.str('a');
    expect(() => decodeMessage(w.frame(110, 1))).toThrow(/exceeds 16/);
    expect(() => decodeMessage(b().frame(200, 1))).toThrow(/unknown message type 200/);
    expect(() => decodeMessage(b().frame(106, 1))).toThrow(DecodeError); // Terror is not 9P2000.L
  });

  it('rejects a size field that disagrees with the frame', () => {
    const f = b().u32(1).frame(120, 1);
    f.writeUInt32LE(99, 0);
    expect(() => decodeMessage(f)).toThrow(/size field 99/);
  });

  it('refuses to encode out-of-range values', () => {
    expect(() => encodeMessage({ type: 'Tclunk', tag: 70000, fid: 1 })).toThrow(EncodeError);
    expect(() => encodeMessage({ type: 'Tclunk', tag: 1, fid: -1 })).toThrow(/Tclunk.fid/);
    expect(() => encodeMessage({ type: 'Tread', tag: 1, fid: 1, offset: -1n, count: 1 })).toThrow(
      /Tread.offset/,
    );
    expect(() => encodeMessage({ type: 'Rreadlink', tag: 1, target: 'x'.repeat(70000) })).toThrow(
      /longer than 65535/,
    );
    expect(() =>
      encodeMessage({ type: 'Tread', tag: 1, fid: 1, offset: 1n << 64n, count: 1 }),
    ).toThrow(/Tread.offset/);
    expect(() => encodeMessage({ type: 'Tclunk', tag: 1, fid: 1.5 })).toThrow(/Tclunk.fid/);
    expect(() => encodeMessage({ type: 'Tclunk', tag: 1 } as never)).toThrow(/missing field/);
  });

  it('writes u64 values on both sides of 2^32 exactly (the two-u32 fast path and the BigInt one)', () => {
    for (const offset of [0n, 0xffffffffn, 0x100000000n, 0x123456789abcdefn, (1n << 64n) - 1n]) {
      const frame = encodeMessage({ type: 'Tread', tag: 7, fid: 3, offset, count: 9 });
      expect(frame.readBigUInt64LE(11)).toBe(offset);
      expect(decodeMessage(frame)).toEqual({ type: 'Tread', tag: 7, fid: 3, offset, count: 9 });
      const qid = { type: 0x80, version: 1, path: offset };
      expect(decodeMessage(encodeMessage({ type: 'Rattach', tag: 1, qid }))).toMatchObject({ qid });
    }
  });
});

describe('dirents', () => {
  const entries = [
    { qid: { type: 0x80, version: 0, path: 1n }, offset: 1n, type: 4, name: '.' },
    { qid: { type: 0, version: 0, path: 2n }, offset: 2n, type: 8, name: 'file' },
  ];
  it('packs to hand-built bytes and back', () => {
    const expected = b()
      .qid(0x80, 0, 1n)
      .u64(1n)
      .u8(4)
      .str('.')
      .qid(0, 0, 2n)
      .u64(2n)
      .u8(8)
      .str('file')
      .buffer();
    const { data, packed } = encodeDirents(entries, 1000);
    expect(packed).toBe(2);
    expect(data.toString('hex')).toBe(expected.toString('hex'));
    expect(decodeDirents(data)).toEqual(entries);
  });
  it('stops at count', () => {
    expect(encodeDirents(entries, 30).packed).toBe(1);
    expect(encodeDirents(entries, 10).packed).toBe(0);
  });
});

describe('wire header', () => {
  it('writes the same head in front of read data as the compiled encoder', () => {
    const data = Buffer.from('some file bytes');
    for (const type of ['Rread', 'Rreaddir'] as const) {
      const head = dataFrameHead(type === 'Rread' ? 117 : 41, 0x1234, data.length);
      expect(Buffer.concat([head, data])).toEqual(encodeMessage({ type, tag: 0x1234, data }));
    }
  });

  it('reads size, type and tag and refuses a frame shorter than the header', () => {
    const frame = encodeMessage({ type: 'Tclunk', tag: 7, fid: 3 });
    expect(readHeader(frame)).toEqual({ size: frame.length, type: 120, tag: 7 });
    expect(() => readHeader(frame.subarray(0, 6))).toThrow(DecodeError);
  });

  it('reads fields in bounds only, naming the field that ran short', () => {
    const r = new Reader(b().u16(5).raw([0x68, 0x69]).buffer());
    expect(() => r.str('name')).toThrow(/name needs 5 bytes but only 2 remain/);
  });
});
