import { describe, expect, it } from 'vitest';
import { decodeBody, encodeBody } from '../../src/protocol/codec.js';
import {
  encodeFrame,
  type Frame,
  FrameDecoder,
  FrameType,
  HEADER_SIZE,
} from '../../src/protocol/frame.js';

const frames: Frame[] = [
  {
    type: FrameType.REQUEST,
    id: 1,
    stream: 0,
    payload: new Uint8Array(encodeBody({ method: 'ping', params: { sent: 1 } })),
  },
  { type: FrameType.DATA, id: 3, stream: 1, payload: new Uint8Array([1, 2, 3, 255]) },
  { type: FrameType.END, id: 3, stream: 1, payload: new Uint8Array(0) },
  {
    type: FrameType.EVENT,
    id: 0,
    stream: 0,
    payload: new Uint8Array(encodeBody({ name: 'boot', data: null })),
  },
];
const wire = Buffer.concat(frames.map(encodeFrame));

describe('FrameDecoder', () => {
  it('decodes the same frames however the bytes are split', () => {
    for (let cut = 0; cut <= wire.length; cut++) {
      const decoder = new FrameDecoder();
      const items = [...decoder.push(wire.subarray(0, cut)), ...decoder.push(wire.subarray(cut))];
      expect(items.map((i) => i.frame)).toEqual(frames);
      expect(decoder.buffered).toBe(0);
    }
  });

  it('decodes byte by byte', () => {
    const decoder = new FrameDecoder();
    const items = [...wire].flatMap((byte) => decoder.push(Uint8Array.of(byte)));
    expect(items.map((i) => i.frame)).toEqual(frames);
  });

  it('reports an oversized frame with its id and skips its body without buffering it', () => {
    const decoder = new FrameDecoder(1024);
    const big = encodeFrame({
      type: FrameType.DATA,
      id: 7,
      stream: 1,
      payload: new Uint8Array(5000),
    });
    const items = [
      ...decoder.push(big.subarray(0, 100)),
      ...decoder.push(big.subarray(100, 3000)),
      ...decoder.push(Buffer.concat([big.subarray(3000), wire])),
    ];
    expect(items[0]?.error?.message).toMatch(/exceeds 1024/);
    expect(items[0]?.error?.id).toBe(7);
    expect(decoder.buffered).toBe(0);
    expect(items.slice(1).map((i) => i.frame)).toEqual(frames);
  });

  it('reports unknown types and versions and stays in sync', () => {
    const bad = Buffer.from(encodeFrame(frames[0] as Frame));
    bad.writeUInt8(99, 5);
    const badVersion = Buffer.from(encodeFrame(frames[1] as Frame));
    badVersion.writeUInt8(2, 4);
    const items = new FrameDecoder().push(Buffer.concat([bad, badVersion, wire]));
    expect(items[0]?.error?.message).toMatch(/unknown frame type 99/);
    expect(items[1]?.error?.message).toMatch(/version 2/);
    expect(items.slice(2).map((i) => i.frame)).toEqual(frames);
  });

  it('gives up on a length below the header size (framing is lost)', () => {
    const decoder = new FrameDecoder();
    const garbage = Buffer.alloc(HEADER_SIZE, 0);
    const items = decoder.push(garbage);
    expect(items[0]?.error?.message).toMatch(/below the header size/);
    expect(decoder.desynced).toBe(true);
    expect(decoder.push(wire)).toEqual([]);
  });

  it('never throws on random bytes', () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed & 0xff;
    };
    for (let round = 0; round < 200; round++) {
      const decoder = new FrameDecoder(4096);
      const bytes = Uint8Array.from({ length: 64 + (round % 50) }, random);
      expect(() => decoder.push(bytes)).not.toThrow();
    }
  });
});

describe('CBOR bodies', () => {
  it('round-trips objects, byte strings and numbers', () => {
    const value = { a: 1, b: 'x', c: Buffer.from([1, 2]), d: [1.5, null, true] };
    expect(decodeBody(encodeBody(value))).toEqual(value);
  });

  it('refuses truncated bodies and trailing values with a DECODE error', () => {
    const body = encodeBody({ method: 'ping', params: { sent: 1 } });
    expect(() => decodeBody(body.subarray(0, body.length - 2))).toThrow(/invalid CBOR|exactly one/);
    expect(() => decodeBody(Buffer.concat([body, body]))).toThrow(/exactly one/);
  });
});
