import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveFormulaText } from '@multiverse-os/formula';
import { parseNetwork } from '@multiverse-os/libvirt-xml';
import { describe, expect, it } from 'vitest';
import { formatPlan, parsePlan, planFiles } from '../../src/index.js';

const seedsFile = join(import.meta.dirname, '..', '..', 'plans', 'seeds.yaml');
const plan = parsePlan(readFileSync(seedsFile, 'utf8'), seedsFile);
const files = new Map(planFiles(plan).map((f) => [f.path, f.content]));

function file(path: string): string {
  const content = files.get(path);
  if (content === undefined) throw new Error(`not emitted: ${path}`);
  return content;
}

describe('emitted files', () => {
  it('has one libvirt network per plan network: isolated bridge, host off the network', () => {
    const universe = parseNetwork(file('networks/universe0.xml'));
    expect(universe.name).toBe('universe0');
    expect(universe.bridge).toBe('mv-universe0');
    expect(universe.forwardMode).toBeUndefined();
    expect(universe.ips).toEqual([]);
  });

  it('writes router formulas that resolve again, with the plan MACs in interface order', () => {
    const formula = resolveFormulaText(file('formulas/galaxy-router.yaml'), 'galaxy-router.yaml');
    expect(formula.name).toBe('galaxy-router');
    expect(formula.networks.map((n) => `${n.name}=${n.mac}`)).toEqual([
      'universe0=00:00:10:00:00:0a',
      'galaxy0=00:00:10:01:01:fe',
    ]);
    expect(file('domains/universe-router.xml')).toContain('<mac address="00:00:10:00:00:01"/>');
  });

  it('configures udhcpd with static leases for the routers below', () => {
    const conf = file('routers/universe-router/udhcpd-universe0.conf');
    expect(conf).toContain('start 10.0.0.2\nend 10.0.0.254\n');
    expect(conf).toContain('option router 10.0.0.1\n');
    expect(conf).toContain('static_lease 00:00:10:00:00:0a 10.0.0.10\n');
    expect(files.has('routers/galaxy-router/udhcpd-galaxy0.conf')).toBe(false);
  });

  it('writes interfaces, NAT on the uplink only, and isolation rules', () => {
    expect(file('routers/galaxy-router/interfaces')).toContain(
      '\taddress 10.0.0.10/24\n\tgateway 10.0.0.1',
    );
    expect(file('routers/universe-router/nftables.nft')).toContain('oifname "eth1" masquerade');
    expect(file('routers/galaxy-router/nftables.nft')).not.toContain('masquerade');
    expect(file('routers/galaxy1-router/nftables.nft')).toContain(
      'ip saddr 10.1.2.0/24 ip daddr 10.1.1.0/24 reject with icmp type admin-prohibited',
    );
    const setup = file('routers/star-router/setup.sh');
    expect(setup).toContain('ip addr add 10.2.2.254/24 dev eth1\n');
    expect(setup).toContain('ip route add default via 10.1.1.254\n');
    expect(setup).toContain('echo 1 > /proc/sys/net/ipv4/ip_forward\n');
  });

  it('prints the plan as a table', () => {
    expect(formatPlan(plan)).toContain(
      'galaxy0    10.1.1.0/24  off           galaxy-router    00:00:10:01:01:fe  10.1.1.254  no',
    );
  });
});
