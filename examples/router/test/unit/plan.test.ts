import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { macForIp, PlanValidationError, parseCidr, parseIpv4, parsePlan } from '../../src/index.js';

const seedsFile = join(import.meta.dirname, '..', '..', 'plans', 'seeds.yaml');
const seeds = readFileSync(seedsFile, 'utf8');

function issuesOf(text: string): string[] {
  try {
    parsePlan(text, 'bad.yaml');
  } catch (error) {
    if (error instanceof PlanValidationError) {
      return error.issues.map(
        (i) =>
          `${i.line}:${i.column} ${i.path}: ${i.message}${i.suggestion ? ` ~${i.suggestion}` : ''}`,
      );
    }
    throw error;
  }
  throw new Error('the plan was accepted');
}

describe('the seeds plan', () => {
  const plan = parsePlan(seeds, seedsFile);

  it('holds the table of the install guide', () => {
    const table = plan.networks.map((n) => [
      n.name,
      n.subnet,
      n.dhcp ? `${n.dhcp.start}-${n.dhcp.end}` : 'off',
      n.router.mac,
      n.router.ip,
    ]);
    expect(table.slice(0, 3)).toEqual([
      ['universe0', '10.0.0.0/24', '10.0.0.2-10.0.0.254', '00:00:10:00:00:01', '10.0.0.1'],
      ['galaxy0', '10.1.1.0/24', 'off', '00:00:10:01:01:fe', '10.1.1.254'],
      ['star0', '10.2.2.0/24', 'off', '00:00:10:02:02:fe', '10.2.2.254'],
    ]);
  });

  it('derives MACs from addresses for a galaxy declared without one, all distinct', () => {
    expect(plan.networks[3]?.router.mac).toBe('00:00:10:01:02:fe');
    const macs = plan.routers.flatMap((r) => r.interfaces.map((i) => i.mac));
    expect(new Set(macs).size).toBe(macs.length);
    expect(macs.every((m) => m.startsWith('00:00:10:'))).toBe(true);
  });

  it('routes each subtree through the child router and chains defaults upward', () => {
    const universe = plan.routers.find((r) => r.name === 'universe-router');
    expect(universe?.routes).toEqual([
      { to: '10.1.1.0/24', via: '10.0.0.10' },
      { to: '10.2.2.0/24', via: '10.0.0.10' },
      { to: '10.1.2.0/24', via: '10.0.0.11' },
    ]);
    const star = plan.routers.find((r) => r.name === 'star-router');
    expect(star?.upstream).toEqual({
      network: 'galaxy0',
      ip: '10.1.1.10',
      mac: '00:00:10:01:01:0a',
      gateway: '10.1.1.254',
    });
    expect(star?.interfaces.map((i) => `${i.name}=${i.network}`)).toEqual([
      'eth0=galaxy0',
      'eth1=star0',
    ]);
  });

  it('isolates galaxy1 from every other subnet, both ways, at its own router', () => {
    const galaxy1 = plan.routers.find((r) => r.name === 'galaxy1-router');
    expect(galaxy1?.prohibited).toContainEqual({ from: '10.1.2.0/24', to: '10.1.1.0/24' });
    expect(galaxy1?.prohibited).toContainEqual({ from: '10.2.2.0/24', to: '10.1.2.0/24' });
    expect(plan.routers.find((r) => r.name === 'galaxy-router')?.prohibited).toEqual([]);
  });
});

describe('addresses', () => {
  it('parses and rejects subnets', () => {
    expect(parseCidr('10.1.1.0/24')).toEqual({ base: parseIpv4('10.1.1.0'), prefix: 24 });
    expect(parseCidr('10.1.1.1/24')).toBeUndefined();
    expect(parseCidr('10.1.1.0/33')).toBeUndefined();
    expect(parseIpv4('10.01.1.1')).toBeUndefined();
    expect(macForIp(parseIpv4('10.2.2.254') as number)).toBe('00:00:10:02:02:fe');
  });
});

describe('bad plans: every problem, located', () => {
  it('reports unknown keys with a suggestion and bad values with their place', () => {
    const text = seeds
      .replace('subnet: 10.1.1.0/24', 'subnett: 10.1.1.0/24')
      .replace('ip: 10.2.2.254', 'ip: 10.2.2.300');
    expect(issuesOf(text)).toEqual([
      '12:5 networks[1].subnet: missing required key "subnet" (string)',
      '13:5 networks[1].subnett: unknown key "subnett" ~subnet',
      '18:15 networks[2].router.ip: expected an IPv4 address such as 10.0.0.1, got "10.2.2.300"',
    ]);
  });

  it('finds overlapping subnets, addresses outside their subnet and a reversed range', () => {
    const text = seeds
      .replace('subnet: 10.2.2.0/24', 'subnet: 10.1.0.0/16')
      .replace('start: 10.0.0.2, end: 10.0.0.254', 'start: 10.0.0.200, end: 10.0.0.100');
    const issues = issuesOf(text);
    expect(issues).toContain(
      '17:5 networks[2].subnet: subnet 10.1.0.0/16 overlaps 10.1.1.0/24 of galaxy0',
    );
    expect(issues).toContain(
      '18:15 networks[2].router.ip: router address 10.2.2.254 is not a host address of 10.1.0.0/16',
    );
    expect(issues).toContain(
      '11:32 networks[0].dhcp.end: the range ends (10.0.0.100) before it starts (10.0.0.200)',
    );
  });

  it('refuses MAC collisions, unknown networks, double service and loops', () => {
    const text = seeds
      .replace('router: { ip: 10.1.2.254 }', 'router: { ip: 10.1.2.254, mac: "00:00:10:01:01:fe" }')
      .replace('serves: [star0]', 'serves: [star0, galaxy0]')
      .replace(
        'upstream: universe0\n    serves: [galaxy1]',
        'upstream: universe1\n    serves: [galaxy1]',
      );
    const issues = issuesOf(text);
    expect(issues).toEqual([
      '23:31 networks[3].router.mac: MAC 00:00:10:01:01:fe is already used by the router of galaxy0',
      '37:21 routers[2].serves[1]: network "galaxy0" is already served by galaxy-router',
      '40:5 routers[3].upstream: no network "universe1" in the plan ~universe0',
    ]);
  });

  it('refuses upstream chains that loop', () => {
    const text = seeds.replace(
      'upstream: universe0\n    serves: [galaxy0]',
      'upstream: star0\n    serves: [galaxy0]',
    );
    expect(issuesOf(text)).toEqual([
      '32:5 routers[1].upstream: upstream networks loop back to galaxy-router: galaxy-router -> star-router -> galaxy-router',
      '36:5 routers[2].upstream: upstream networks loop back to star-router: star-router -> galaxy-router -> star-router',
    ]);
  });

  it('says so when a network has no router and when the YAML is broken', () => {
    expect(
      issuesOf(
        seeds.replace('serves: [star0]', 'serves: [galaxy1]').replace('serves: [galaxy1]\nEOF', ''),
      ),
    ).toContain(
      '16:5 networks[2].name: no router serves network "star0" (list it under some router\'s serves)',
    );
    expect(issuesOf('networks: [\n')).toHaveLength(1);
  });
});
