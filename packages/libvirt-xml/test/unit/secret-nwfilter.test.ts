import { describe, expect, it } from 'vitest';
import { nwfilter, parseNwfilter, parseSecret, secret } from '../../src/index.js';
import { guestFilter, volumeSecret } from '../helpers/fixtures.js';

describe('secret', () => {
  it('builds and reads back', () => {
    const s = parseSecret(volumeSecret().toXml());
    expect(s.uuid).toBe('c1f11a6d-8c5d-4a3e-ac7a-4e171c5e0d4a');
    expect(s.description).toBe('LUKS key of <root.qcow2>');
    expect(s.private).toBe(true);
    expect(s.ephemeral).toBe(false);
    expect(s.usage).toEqual({ type: 'volume', target: '/var/lib/mv/images/root.qcow2' });
    expect(
      parseSecret(secret({ usage: { iscsi: 'iqn.2026-11.org.mv:t1' } }).toXml()).usage,
    ).toEqual({
      type: 'iscsi',
      target: 'iqn.2026-11.org.mv:t1',
    });
  });

  it('refuses a missing usage', () => {
    expect(() => secret({ usage: {} as { volume: string } })).toThrow(/usage: invalid value/);
  });
});

describe('nwfilter', () => {
  it('builds and reads back', () => {
    const f = parseNwfilter(guestFilter().toXml());
    expect(f.name).toBe('mv-guest');
    expect(f.chain).toBe('root');
    expect(f.filterrefs).toEqual(['clean-traffic']);
    expect(f.rules).toEqual([
      { action: 'accept', direction: 'in', priority: 100, protocols: ['tcp'] },
      { action: 'drop', direction: 'inout', priority: 500, protocols: ['all'] },
    ]);
  });

  it('names the bad rule field', () => {
    expect(() =>
      nwfilter({
        name: 'x',
        rules: [
          { action: 'accept', direction: 'in' },
          { action: 'allow' as 'accept', direction: 'in' },
        ],
      }),
    ).toThrow(/rules\[1\]\.action: invalid value "allow"/);
  });
});
