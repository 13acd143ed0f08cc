import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { QmpJsonError, QmpProtocolError } from '../../src/errors.js';
import { QmpDecoder } from '../../src/protocol/decoder.js';

// A deterministic generator keeps failures reproducible.
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const valid = [
  '{"QMP":{"version":{"qemu":{"major":7,"minor":2,"micro":0},"package":""},"capabilities":["oob"]}}',
  '{"return":{},"id":1}',
  '{"return":{"status":"running","running":true},"id":2}',
  '{"error":{"class":"CommandNotFound","desc":"The command foo has not been found"},"id":3}',
  '{"timestamp":{"seconds":1,"microseconds":2},"event":"STOP"}',
];

describe('QmpDecoder fuzz', () => {
  it('turns random garbage into typed errors without throwing', () => {
    const decoder = new QmpDecoder();
    const rand = lcg(42);
    for (let i = 0; i < 300; i++) {
      const chunk = randomBytes(1 + Math.floor(rand() * 400));
      for (const d of decoder.push(chunk)) {
        if (!d.ok) expect(d.error).toBeInstanceOf(QmpProtocolError);
      }
    }
  });

  it('reports every truncation of valid messages as QmpJsonError, then recovers', () => {
    for (const line of valid) {
      for (let cut = 1; cut < line.length; cut++) {
        const decoder = new QmpDecoder();
        const out = decoder.push(Buffer.from(`${line.slice(0, cut)}\n${line}\n`));
        expect(out).toHaveLength(2);
        expect(out[0]?.ok).toBe(false);
        if (out[0] && !out[0].ok) expect(out[0].error).toBeInstanceOf(QmpJsonError);
        expect(out[1]?.ok).toBe(true);
      }
    }
  });

  it('mutates valid messages randomly and never throws', () => {
    const rand = lcg(7);
    const decoder = new QmpDecoder();
    for (let i = 0; i < 2000; i++) {
      const base = valid[i % valid.length] ?? '';
      const chars = [...base];
      for (let k = 0; k < 3; k++) {
        chars[Math.floor(rand() * chars.length)] = String.fromCharCode(Math.floor(rand() * 128));
      }
      const results = decoder.push(Buffer.from(`${chars.join('').replaceAll('\n', ' ')}\n`));
      for (const r of results) {
        if (!r.ok) expect(r.error).toBeInstanceOf(QmpProtocolError);
      }
    }
  });

  it('decodes a huge line and rejects a huge garbage line with a short excerpt', () => {
    const decoder = new QmpDecoder();
    const huge = `{"return":[${Array.from({ length: 100_000 }, (_, i) => `{"name":"n${i}"}`).join(',')}],"id":9}`;
    const [ok] = decoder.push(Buffer.from(`${huge}\n`));
    expect(ok?.ok && ok.message.kind === 'return' && Array.isArray(ok.message.value)).toBe(true);
    const [bad] = decoder.push(Buffer.from(`${'x'.repeat(3_000_000)}\n`));
    expect(bad?.ok).toBe(false);
    if (bad && !bad.ok) expect(bad.error.message.length).toBeLessThan(400);
  });

  it('rejects well-formed JSON that is not a QMP message', () => {
    const decoder = new QmpDecoder();
    const out = decoder.push(Buffer.from('[1,2]\n42\n{"hello":1}\n{"error":"x"}\n'));
    expect(out.map((d) => d.ok)).toEqual([false, false, false, false]);
    for (const d of out) if (!d.ok) expect(d.error).toBeInstanceOf(QmpProtocolError);
  });
});
