import { describe, expect, it } from 'vitest';
import { LineSplitter } from '../../src/protocol/line-splitter.js';

const input = Buffer.from('{"a":1}\r\n{"b":"h\u00e9\u20ac"}\n\n{"c":[1,2]}\n', 'utf8');
const expected = ['{"a":1}', '{"b":"h\u00e9\u20ac"}', '{"c":[1,2]}'];

describe('LineSplitter', () => {
  it('splits whole input', () => {
    expect(new LineSplitter().push(input)).toEqual(expected);
  });

  it('splits byte by byte', () => {
    const s = new LineSplitter();
    const out: string[] = [];
    for (const byte of input) out.push(...s.push(Buffer.from([byte])));
    expect(out).toEqual(expected);
  });

  it('splits at every offset (UTF-8 characters cut in half included)', () => {
    for (let i = 0; i <= input.length; i++) {
      const s = new LineSplitter();
      const out = [...s.push(input.subarray(0, i)), ...s.push(input.subarray(i))];
      expect(out, `split at ${i}`).toEqual(expected);
      expect(s.pendingBytes).toBe(0);
    }
  });

  it('splits a 5 MB line in 64 KiB chunks (under the 16 MiB default bound)', () => {
    const big = `{"x":"${'y'.repeat(5 * 1024 * 1024)}"}\n`;
    const buf = Buffer.from(big);
    const s = new LineSplitter();
    const out: string[] = [];
    for (let i = 0; i < buf.length; i += 65536) out.push(...s.push(buf.subarray(i, i + 65536)));
    expect(out).toHaveLength(1);
    expect(out[0]?.length).toBe(big.length - 1);
  });

  it('keeps an unfinished line pending', () => {
    const s = new LineSplitter();
    expect(s.push(Buffer.from('{"partial":'))).toEqual([]);
    expect(s.pendingBytes).toBe(11);
  });
});
