import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { buildInitramfs, findKernel } from '@multiverse-os/image';
import { domain, network, storagePool } from '@multiverse-os/libvirt-xml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireLibvirtd } from '../../../../scripts/libvirtd.mjs';
import { type DomainRef, Libvirt, LibvirtRemoteError, ListDomainsFlags } from '../../src/index.js';

// One real libvirtd (started by the helper unless already running), one tiny busybox guest
// under TCG. QEMU runs as libvirt-qemu, so the kernel and initramfs are copied to a directory
// that user can enter (not under /root, where the image cache lives).
const tag = `mv-lvt-${process.pid}`;
const workDir = join('/var/lib/libvirt/images', tag);
const serialLog = join(workDir, 'serial.log');
const marker = 'mv-libvirt-test: guest is up';

let daemon: Awaited<ReturnType<typeof acquireLibvirtd>>;
let lv: Libvirt;
let dom: DomainRef | undefined;

function virsh(...args: string[]): string {
  const r = spawnSync('virsh', ['-c', 'qemu:///system', ...args], { encoding: 'utf8' });
  return `${r.stdout}${r.stderr}`.trim();
}

async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  daemon = await acquireLibvirtd();
  mkdirSync(workDir, { recursive: true });
  chmodSync(workDir, 0o755);
  const kernel = findKernel();
  const initramfs = await buildInitramfs({ kernel, init: `echo '${marker}'`, after: 'hang' });
  copyFileSync(kernel.image, join(workDir, 'vmlinuz'));
  copyFileSync(initramfs.path, join(workDir, 'initrd.img'));
  lv = await Libvirt.connect('qemu:///system');
});

afterAll(async () => {
  if (lv && dom) {
    await lv.destroyDomain(dom).catch(() => {});
    await lv.undefineDomain(dom).catch(() => {});
  }
  await lv?.close();
  rmSync(workDir, { recursive: true, force: true });
  await daemon?.release();
});

describe('Libvirt against a real libvirtd (qemu:///system)', () => {
  it('opens the connection and reads the host', async () => {
    expect(await lv.getUri()).toBe('qemu:///system');
    const version = await lv.getVersion();
    expect(version.major).toBeGreaterThanOrEqual(7);
    expect((await lv.getLibVersion()).major).toBe(9);
    expect(await lv.getHostname()).toBe(hostname());
  });

  it('runs many calls at once on one connection', async () => {
    const names = await Promise.all(Array.from({ length: 50 }, () => lv.getHostname()));
    expect(new Set(names)).toEqual(new Set([hostname()]));
    expect(lv.client.connection.inFlight).toBe(0);
  });

  it("reports libvirt's own errors by name", async () => {
    const err = await lv.lookupDomain(`${tag}-missing`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LibvirtRemoteError);
    expect((err as LibvirtRemoteError).codeName).toBe('VIR_ERR_NO_DOMAIN');
    expect((err as LibvirtRemoteError).libvirtMessage).toContain(`${tag}-missing`);
  });

  it('defines a TCG domain from libvirt-xml, starts it, sees it running, destroys and undefines it', async () => {
    const xml = domain({ name: tag, memory: '256 MiB', vcpus: 1, type: 'qemu' })
      .kernelBoot({
        kernel: join(workDir, 'vmlinuz'),
        initrd: join(workDir, 'initrd.img'),
        cmdline: 'console=ttyS0 panic=-1',
      })
      .serial({ type: 'file', path: serialLog });
    dom = await lv.defineDomain(xml);
    expect(dom.name).toBe(tag);
    expect(dom.id).toBe(-1);
    expect((await lv.getDomainState(dom)).state).toBe('shutoff');
    expect((await lv.listDomains(ListDomainsFlags.INACTIVE)).map((d) => d.name)).toContain(tag);
    expect(Buffer.from((await lv.lookupDomain(dom.uuid)).uuid)).toEqual(Buffer.from(dom.uuid));

    dom = await lv.startDomain(dom);
    expect(dom.id).toBeGreaterThan(0);
    expect((await lv.getDomainState(dom)).state).toBe('running');
    expect((await lv.listDomains(ListDomainsFlags.ACTIVE)).map((d) => d.name)).toContain(tag);
    expect(virsh('domstate', tag)).toBe('running');
    const live = await lv.getDomainXml(dom);
    expect(live).toContain(`<name>${tag}</name>`);
    expect(live).toContain("type='qemu'");
    await waitFor(
      'the guest to print its marker on the serial log',
      () => existsSync(serialLog) && readFileSync(serialLog, 'utf8').includes(marker),
    );

    await lv.destroyDomain(dom);
    expect((await lv.getDomainState(dom)).state).toBe('shutoff');
    await lv.undefineDomain(dom);
    const gone = await lv.lookupDomain(tag).catch((e: unknown) => e);
    expect((gone as LibvirtRemoteError).codeName).toBe('VIR_ERR_NO_DOMAIN');
    dom = undefined;
  });

  it('defines, starts, lists, reads, stops and undefines an isolated network and a dir pool', async () => {
    const bridge = `mvl${process.pid % 100000}`;
    const net = await lv.defineNetwork(network({ name: tag, bridge }));
    try {
      await lv.startNetwork(net);
      expect(await lv.isNetworkActive(net)).toBe(true);
      expect((await lv.listNetworks()).map((n) => n.name)).toContain(tag);
      expect(await lv.getNetworkXml(net)).toContain(`name='${bridge}'`);
      await lv.destroyNetwork(net);
      expect(await lv.isNetworkActive(net)).toBe(false);
    } finally {
      await lv.undefineNetwork(net);
    }
    expect((await lv.listNetworks()).map((n) => n.name)).not.toContain(tag);

    const poolDir = join(workDir, 'pool');
    mkdirSync(poolDir);
    const pool = await lv.defineStoragePool(storagePool({ name: tag, path: poolDir }));
    try {
      await lv.startStoragePool(pool);
      expect((await lv.listStoragePools()).map((p) => p.name)).toContain(tag);
      expect(await lv.getStoragePoolXml(pool)).toContain(`<path>${poolDir}</path>`);
      expect(virsh('pool-info', tag)).toMatch(/State:\s+running/);
      await lv.destroyStoragePool(pool);
    } finally {
      await lv.undefineStoragePool(pool);
    }
    expect((await lv.listStoragePools()).map((p) => p.name)).not.toContain(tag);
  });
});
