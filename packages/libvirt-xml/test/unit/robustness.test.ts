import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LibvirtXmlError, parseDomain } from '../../src/index.js';

const xml = readFileSync(new URL('../../bench/domain-150.xml', import.meta.url), 'utf8');

function outcome(input: string): string {
  try {
    parseDomain(input).toXml();
    return 'ok';
  } catch (error) {
    if (error instanceof LibvirtXmlError) return error.code;
    throw error;
  }
}

describe('robustness: nothing but typed errors', () => {
  it('every truncation of a real domain is refused with a LibvirtXmlError', () => {
    const codes = new Set<string>();
    // Every prefix up to the closing tag is incomplete, so each must be refused.
    const end = xml.lastIndexOf('</domain>');
    for (let cut = 0; cut < end; cut += 3) codes.add(outcome(xml.slice(0, cut)));
    expect([...codes]).toEqual(['XML_MALFORMED']);
    expect(outcome(xml)).toBe('ok');
  }, 60_000);

  it('single-character corruptions either parse or fail with a typed error', () => {
    const seen = new Set<string>();
    for (let at = 0; at < xml.length; at += 37) {
      for (const ch of ['<', '>', '&', '"', "'", '/', '=', ' ', '\u0000']) {
        seen.add(outcome(xml.slice(0, at) + ch + xml.slice(at + 1)));
      }
    }
    expect(seen.has('XML_MALFORMED')).toBe(true);
    for (const code of seen)
      expect(['ok', 'XML_MALFORMED', 'WRONG_ROOT', 'XML_FORBIDDEN']).toContain(code);
  }, 60_000);
});
