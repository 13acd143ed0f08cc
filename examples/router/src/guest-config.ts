import { netmask } from './ipv4.js';
import type { NetworkPlan, PlanNetwork, PlanRouter } from './plan.js';

/** Where a router guest finds its configuration (the setup script refers to it). */
export const GUEST_CONFIG_DIR = '/etc/multiverse/router';

/** One file of a router guest's configuration, relative to GUEST_CONFIG_DIR. */
export interface GuestFile {
  name: string;
  content: string;
  mode?: number;
}

function network(plan: NetworkPlan, name: string): PlanNetwork {
  const found = plan.networks.find((n) => n.name === name);
  if (!found) throw new Error(`plan has no network ${name}`);
  return found;
}

/** busybox udhcpd's config for one served network; child routers get static leases. */
export function udhcpdConfig(
  plan: NetworkPlan,
  router: PlanRouter,
  name: string,
): string | undefined {
  const net = network(plan, name);
  const nic = router.interfaces.find((i) => i.network === name && i.role === 'serves');
  if (!net.dhcp || !nic) return undefined;
  const children = plan.routers.filter((r) => r.upstream?.network === name);
  const lines = [
    `# ${net.name} ${net.subnet}: leases from ${router.name}`,
    `interface ${nic.name}`,
    `start ${net.dhcp.start}`,
    `end ${net.dhcp.end}`,
    `max_leases ${256}`,
    `lease_file /var/lib/udhcpd/${net.name}.leases`,
    `pidfile /run/udhcpd-${net.name}.pid`,
    `option subnet ${netmask(net.cidr.prefix)}`,
    `option router ${net.router.ip}`,
    `option lease ${net.dhcp.lease}`,
    ...(net.dhcp.dns.length > 0 ? [`option dns ${net.dhcp.dns.join(' ')}`] : []),
    ...children.flatMap((c) =>
      c.upstream ? [`static_lease ${c.upstream.mac} ${c.upstream.ip}`] : [],
    ),
  ];
  return `${lines.join('\n')}\n`;
}

/** ifupdown's /etc/network/interfaces (Alpine and Debian read it). */
export function interfacesFile(router: PlanRouter): string {
  const blocks = ['auto lo\niface lo inet loopback'];
  if (router.uplink) blocks.push(`auto ${router.uplink}\niface ${router.uplink} inet dhcp`);
  for (const nic of router.interfaces) {
    const lines = [
      `auto ${nic.name}`,
      `iface ${nic.name} inet static`,
      `\t# ${nic.network} (${nic.role}), MAC ${nic.mac}`,
      `\taddress ${nic.ip}/${nic.prefix}`,
    ];
    if (nic.role === 'upstream' && router.upstream)
      lines.push(`\tgateway ${router.upstream.gateway}`);
    for (const route of router.routes) {
      const through = router.interfaces.find(
        (i) => i.role === 'serves' && sameSubnet(i, route.via),
      );
      if (through === nic) lines.push(`\tup ip route add ${route.to} via ${route.via}`);
    }
    blocks.push(lines.join('\n'));
  }
  return `${blocks.join('\n\n')}\n`;
}

function sameSubnet(nic: { ip: string; prefix: number }, ip: string): boolean {
  const a = nic.ip.split('.').map(Number);
  const b = ip.split('.').map(Number);
  const value = (o: number[]) => o.reduce((n, x) => n * 256 + x, 0);
  const size = 2 ** (32 - nic.prefix);
  return Math.floor(value(a) / size) === Math.floor(value(b) / size);
}

/** nftables rules: forward, refuse what isolation forbids, masquerade out of the uplink. */
export function nftablesRules(router: PlanRouter): string {
  const lines = [
    '#!/usr/sbin/nft -f',
    `# ${router.name}: forwarding and NAT`,
    'flush ruleset',
    '',
    'table inet multiverse {',
    '\tchain forward {',
    '\t\ttype filter hook forward priority 0; policy accept;',
    ...router.prohibited.map(
      (p) => `\t\tip saddr ${p.from} ip daddr ${p.to} reject with icmp type admin-prohibited`,
    ),
    '\t}',
    '}',
  ];
  if (router.uplink) {
    lines.push(
      '',
      'table ip multiverse-nat {',
      '\tchain postrouting {',
      '\t\ttype nat hook postrouting priority srcnat; policy accept;',
      `\t\toifname "${router.uplink}" masquerade`,
      '\t}',
      '}',
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * A busybox sh script that brings the router up without ifupdown or nftables: addresses,
 * routes, `ip rule ... prohibit` for isolation, forwarding on, one udhcpd per DHCP network.
 * Tiny test guests run exactly this; full router VMs may too.
 */
export function setupScript(plan: NetworkPlan, router: PlanRouter): string {
  const lines = [
    '#!/bin/sh',
    `# ${router.name}: bring the router up (busybox)`,
    'set -e',
    'ip link set lo up',
  ];
  for (const nic of router.interfaces) {
    lines.push(`ip link set ${nic.name} address ${nic.mac}`);
    lines.push(`ip addr add ${nic.ip}/${nic.prefix} dev ${nic.name}`);
    lines.push(`ip link set ${nic.name} up`);
  }
  if (router.uplink) lines.push(`ip link set ${router.uplink} up`, `udhcpc -b -i ${router.uplink}`);
  for (const route of router.routes) lines.push(`ip route add ${route.to} via ${route.via}`);
  if (router.upstream) lines.push(`ip route add default via ${router.upstream.gateway}`);
  router.prohibited.forEach((p, i) => {
    lines.push(`ip rule add from ${p.from} to ${p.to} type prohibit pref ${1000 + i}`);
  });
  lines.push('echo 1 > /proc/sys/net/ipv4/ip_forward', 'mkdir -p /var/lib/udhcpd /run');
  for (const name of router.serves) {
    if (!network(plan, name).dhcp) continue;
    lines.push(`touch /var/lib/udhcpd/${name}.leases`);
    lines.push(`udhcpd ${GUEST_CONFIG_DIR}/udhcpd-${name}.conf`);
  }
  lines.push(`echo "${router.name}: up"`);
  return `${lines.join('\n')}\n`;
}

/** Every file of one router guest's configuration. */
export function routerGuestFiles(plan: NetworkPlan, router: PlanRouter): GuestFile[] {
  const files: GuestFile[] = [
    { name: 'setup.sh', content: setupScript(plan, router), mode: 0o755 },
    { name: 'interfaces', content: interfacesFile(router) },
    { name: 'nftables.nft', content: nftablesRules(router) },
  ];
  for (const name of router.serves) {
    const config = udhcpdConfig(plan, router, name);
    if (config !== undefined) files.push({ name: `udhcpd-${name}.conf`, content: config });
  }
  const summary = {
    name: router.name,
    interfaces: router.interfaces,
    upstream: router.upstream ?? null,
    uplink: router.uplink ?? null,
    routes: router.routes,
    prohibited: router.prohibited,
  };
  files.push({ name: 'router.json', content: `${JSON.stringify(summary, null, 2)}\n` });
  return files;
}
