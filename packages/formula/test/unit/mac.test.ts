import { describe, expect, it } from 'vitest';
import {
  allocateMacs,
  autoVsockCid,
  MacCollisionError,
  type ResolvedFormula,
  resolveFormulaText,
} from '../../src/index.js';

function portal(name: string, networks: string): ResolvedFormula {
  const text = `apiVersion: multiverse-os.org/formula/v1alpha1\nkind: Portal\nname: ${name}\ncategory: application/${name}\nboot: { type: kernel, kernel: /k }\nnetworks: ${networks}\n`;
  return resolveFormulaText(text, `${name}.yaml`);
}

describe('allocateMacs', () => {
  const set = [
    portal('a', '[{ name: star0 }, { name: galaxy0 }]'),
    portal('b', '[{ name: star0 }]'),
    portal('c', '[{ name: star0, mac: "00:00:10:00:00:01" }]'),
  ];

  it('gives every interface a 00:00:10 MAC, fixed ones as written', () => {
    const macs = allocateMacs(set);
    expect([...macs.keys()].sort()).toEqual(['a/galaxy0', 'a/star0', 'b/star0', 'c/star0']);
    for (const mac of macs.values())
      expect(mac).toMatch(/^00:00:10:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}$/);
    expect(macs.get('c/star0')).toBe('00:00:10:00:00:01');
    expect(new Set(macs.values()).size).toBe(macs.size);
  });

  it('is deterministic and independent of the order of the set', () => {
    expect([...allocateMacs(set)].sort()).toEqual([...allocateMacs([...set].reverse())].sort());
    expect(allocateMacs([set[0]!]).get('a/star0')).toBe(allocateMacs(set).get('a/star0'));
  });

  it('moves an automatic MAC off one that is taken', () => {
    const wanted = allocateMacs([set[1]!]).get('b/star0')!;
    const squatter = portal('z', `[{ name: star0, mac: "${wanted}" }]`);
    const macs = allocateMacs([set[1]!, squatter]);
    expect(macs.get('z/star0')).toBe(wanted);
    expect(macs.get('b/star0')).not.toBe(wanted);
    expect(macs.get('b/star0')).toMatch(/^00:00:10:/);
  });

  it('stays collision-free over a thousand portals', () => {
    const many = Array.from({ length: 1000 }, (_, i) => portal(`p${i}`, '[{ name: star0 }]'));
    const macs = allocateMacs(many);
    expect(new Set(macs.values()).size).toBe(1000);
  });

  it('rejects two interfaces fixing the same MAC', () => {
    const twin = portal('twin', '[{ name: star0, mac: "00:00:10:00:00:01" }]');
    expect(() => allocateMacs([set[2]!, twin])).toThrow(MacCollisionError);
  });
});

describe('autoVsockCid', () => {
  it('is stable and above the reserved ids', () => {
    expect(autoVsockCid('firefox')).toBe(autoVsockCid('firefox'));
    expect(autoVsockCid('firefox')).toBeGreaterThanOrEqual(3);
    expect(autoVsockCid('firefox')).not.toBe(autoVsockCid('chromium'));
  });
});
