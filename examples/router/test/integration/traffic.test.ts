import { createSocket } from 'node:dgram';
import { join } from 'node:path';
import { bootGuest, buildInitramfs, type Guest, type Initramfs } from '@multiverse-os/image';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GUEST_CONFIG_DIR, readPlan, routerGuestFiles } from '../../src/index.js';

// Guests are joined by QEMU UDP socket netdevs on 127.0.0.1: each link is a pair of ports, so
// no root, no host bridge, and no traffic leaves the loopback interface.
const plan = readPlan(join(import.meta.dirname, 'lab.yaml'));
const router = plan.routers[0];
if (!router) throw new Error('lab.yaml has no router');

/** Two free UDP ports on 127.0.0.1 per link (bound then released). */
async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(resolve));
  return port;
}

interface Link {
  routerPort: number;
  portalPort: number;
}

function netdev(id: string, local: number, remote: number, mac: string): string[] {
  return [
    '-netdev',
    `socket,id=${id},udp=127.0.0.1:${remote},localaddr=127.0.0.1:${local}`,
    '-device',
    `virtio-net-pci,netdev=${id},mac=${mac}`,
  ];
}

/** udhcpc runs this on each event; it prints the lease so the test can read it. */
const UDHCPC_SCRIPT = `#!/bin/sh
case "$1" in
  deconfig) ip addr flush dev "$interface"; ip link set "$interface" up ;;
  bound|renew)
    ifconfig "$interface" "$ip" netmask "$subnet" up
    for gw in $router; do route add default gw "$gw" dev "$interface"; break; done
    echo "mv-lease: $interface $ip gw $router" ;;
esac
exit 0
`;

const links = new Map<string, Link>();
const guests: Guest[] = [];
let portalImage: Initramfs;
let routerGuest: Guest;

async function bootPortal(network: string, mac: string): Promise<{ guest: Guest; ip: string }> {
  const link = links.get(network) as Link;
  const guest = await bootGuest({
    initramfs: portalImage,
    memory: 128,
    timeout: 170_000,
    extraArgs: netdev('n0', link.portalPort, link.routerPort, mac),
  });
  guests.push(guest);
  const lease = await guest.waitForOutput(/mv-lease: eth0 (\d+\.\d+\.\d+\.\d+) gw/, {
    timeout: 120_000,
  });
  return { guest, ip: lease.match[1] as string };
}

/** Runs a command in a guest's shell and returns its exit status. */
async function status(guest: Guest, command: string): Promise<number> {
  const from = guest.transcript.offset;
  const tag = Math.random().toString(36).slice(2, 8);
  guest.write(`${command} >/dev/null 2>&1; echo "rc=$? ${tag}"\n`);
  const done = await guest.waitForOutput(new RegExp(`rc=(\\d+) ${tag}`), { from, timeout: 60_000 });
  return Number(done.match[1]);
}

beforeAll(async () => {
  for (const nic of router.interfaces) {
    links.set(nic.network, { routerPort: await freeUdpPort(), portalPort: await freeUdpPort() });
  }
  const routerImage = await buildInitramfs({
    modules: ['virtio_net'],
    files: routerGuestFiles(plan, router).map((file) => ({
      path: `${GUEST_CONFIG_DIR}/${file.name}`,
      content: file.content,
      mode: file.mode ?? 0o644,
    })),
    init: `sh ${GUEST_CONFIG_DIR}/setup.sh`,
    after: 'shell',
  });
  portalImage = await buildInitramfs({
    modules: ['virtio_net'],
    files: [{ path: '/etc/udhcpc/default.script', content: UDHCPC_SCRIPT, mode: 0o755 }],
    init: 'ip link set lo up; udhcpc -i eth0 -t 20 -T 2 -n',
    after: 'shell',
  });
  routerGuest = await bootGuest({
    initramfs: routerImage,
    memory: 128,
    timeout: 175_000,
    extraArgs: router.interfaces.flatMap((nic, i) => {
      const link = links.get(nic.network) as Link;
      return netdev(`n${i}`, link.routerPort, link.portalPort, nic.mac);
    }),
  });
  guests.push(routerGuest);
  await routerGuest.waitForOutput(/lab-router: up\r?\n/, { timeout: 120_000 });
});

afterAll(async () => {
  for (const guest of guests) await guest.stop();
});

describe('a router guest configured from the plan, with real traffic', () => {
  let left: { guest: Guest; ip: string };
  let right: { guest: Guest; ip: string };

  it('leases addresses to portals on both routed networks', async () => {
    left = await bootPortal('left', '00:00:10:0a:01:02');
    right = await bootPortal('right', '00:00:10:0a:02:02');
    expect(left.ip).toMatch(/^10\.10\.1\.(1[0-4]\d|150)$/);
    expect(right.ip).toMatch(/^10\.10\.2\.(1[0-4]\d|150)$/);
    expect(routerGuest.output()).not.toContain('mv-image: init script exited with status 1');
  });

  it('lets a portal reach its router and, forwarded, the portal on the other network', async () => {
    expect(await status(left.guest, 'ping -c 2 -W 3 10.10.1.1')).toBe(0);
    expect(await status(left.guest, `ping -c 2 -W 3 ${right.ip}`)).toBe(0);
    expect(await status(right.guest, `ping -c 2 -W 3 ${left.ip}`)).toBe(0);
  });

  it('keeps a portal on the isolated network to its router', async () => {
    await right.guest.stop();
    const dark = await bootPortal('dark', '00:00:10:0a:03:02');
    expect(dark.ip).toMatch(/^10\.10\.3\./);
    expect(await status(dark.guest, 'ping -c 2 -W 3 10.10.3.1')).toBe(0);
    expect(await status(dark.guest, `ping -c 2 -W 3 ${left.ip}`)).not.toBe(0);
    expect(await status(left.guest, `ping -c 2 -W 3 ${dark.ip}`)).not.toBe(0);
    // The refusal is the router's doing (ip rule ... prohibit), not a dead link.
    expect(await status(routerGuest, `ping -c 1 -W 3 ${dark.ip}`)).toBe(0);
  });
});
