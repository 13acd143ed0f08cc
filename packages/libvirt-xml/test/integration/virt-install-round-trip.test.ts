import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDomain } from '../../src/index.js';
import {
  canonicalXml,
  mapLimit,
  requireTool,
  virshDefine,
  virtInstallXml,
  virtXmlValidate,
} from '../../src/testing/index.js';

/**
 * virt-manager's virtinst writes domain XML its own way; libvirt's test driver rewrites it
 * again on define. Both renderings must survive parse -> serialize canonically unchanged.
 */
let dir = '';
const f = (name: string) => join(dir, name);

function configs(): Array<{ name: string; args: string[] }> {
  const list: Array<[string, string[]]> = [
    ['minimal', ['--disk', 'none']],
    ['file disk', ['--disk', f('a.img')]],
    [
      'qcow2 virtio disk',
      ['--disk', `path=${f('b.qcow2')},format=qcow2,bus=virtio,cache=none,io=native`],
    ],
    ['two disks', ['--disk', f('a.img'), '--disk', `path=${f('b.qcow2')},bus=sata`]],
    ['readonly shareable disk', ['--disk', `path=${f('a.img')},readonly=on,shareable=on`]],
    [
      'disk boot order',
      ['--disk', `path=${f('a.img')},boot.order=1`, '--network', 'user,boot.order=2'],
    ],
    ['cdrom', ['--disk', `path=${f('x.iso')},device=cdrom`]],
    [
      'cdrom and disk',
      ['--disk', `path=${f('x.iso')},device=cdrom,bus=sata`, '--disk', f('a.img')],
    ],
    ['floppy', ['--disk', `path=${f('a.img')},device=floppy`]],
    ['disk serial', ['--disk', `path=${f('a.img')},serial=ABC123`]],
    [
      'scsi disk',
      ['--disk', `path=${f('a.img')},bus=scsi`, '--controller', 'scsi,model=virtio-scsi'],
    ],
    ['usb disk', ['--disk', `path=${f('a.img')},bus=usb`]],
    [
      'ovmf',
      [
        '--disk',
        'none',
        '--boot',
        `loader=${f('code.fd')},loader.readonly=yes,loader.type=pflash,nvram=${f('vars.fd')}`,
      ],
    ],
    [
      'direct kernel boot',
      [
        '--disk',
        'none',
        '--boot',
        `kernel=${f('vmlinuz')},initrd=${f('initrd')},kernel_args=console=ttyS0 root=/dev/vda`,
      ],
    ],
    ['boot menu', ['--disk', f('a.img'), '--boot', 'hd,cdrom,menu=on']],
    ['9p share', ['--disk', 'none', '--filesystem', `${dir},share`]],
    [
      '9p passthrough ro',
      [
        '--disk',
        'none',
        '--filesystem',
        `source=${dir},target=ro,accessmode=passthrough,readonly=on`,
      ],
    ],
    ['9p squash', ['--disk', 'none', '--filesystem', `source=${dir},target=sq,accessmode=squash`]],
    [
      'virtiofs',
      [
        '--disk',
        'none',
        '--memorybacking',
        'source.type=memfd,access.mode=shared',
        '--filesystem',
        `source=${dir},target=vfs,driver.type=virtiofs`,
      ],
    ],
    ['network default', ['--disk', 'none', '--network', 'network=default,model=virtio']],
    ['bridge', ['--disk', 'none', '--network', 'bridge=br0,mac=52:54:00:11:22:33']],
    ['user net', ['--disk', 'none', '--network', 'user,model=e1000e']],
    ['no network', ['--disk', 'none', '--network', 'none']],
    [
      'direct macvtap',
      ['--disk', 'none', '--network', 'type=direct,source=eth0,source.mode=bridge'],
    ],
    [
      'vhostuser',
      [
        '--disk',
        'none',
        '--memorybacking',
        'access.mode=shared',
        '--network',
        `type=vhostuser,source.type=unix,source.path=${f('vhost.sock')},source.mode=client,model=virtio`,
      ],
    ],
    ['link down', ['--disk', 'none', '--network', 'user,link.state=down']],
    ['vsock cid', ['--disk', 'none', '--vsock', 'cid.address=5']],
    ['vsock auto', ['--disk', 'none', '--vsock', 'cid.auto=yes']],
    ['serial pty', ['--disk', 'none', '--serial', 'pty']],
    ['serial unix', ['--disk', 'none', '--serial', `unix,path=${f('serial.sock')},mode=bind`]],
    ['serial file', ['--disk', 'none', '--serial', `file,path=${f('serial.log')}`]],
    ['console pty', ['--disk', 'none', '--console', 'pty,target.type=virtio']],
    [
      'guest agent channel',
      ['--disk', 'none', '--channel', 'unix,target.type=virtio,name=org.qemu.guest_agent.0'],
    ],
    ['spicevmc channel', ['--disk', 'none', '--channel', 'spicevmc']],
    ['vnc', ['--disk', 'none', '--graphics', 'vnc,listen=127.0.0.1,port=5905']],
    ['spice', ['--disk', 'none', '--graphics', 'spice']],
    ['no graphics', ['--disk', 'none', '--graphics', 'none']],
    ['video virtio', ['--disk', 'none', '--video', 'virtio']],
    ['sound ich9', ['--disk', 'none', '--sound', 'ich9']],
    ['rng', ['--disk', 'none', '--rng', '/dev/urandom']],
    ['watchdog', ['--disk', 'none', '--watchdog', 'i6300esb,action=poweroff']],
    ['memballoon none', ['--disk', 'none', '--memballoon', 'none']],
    ['panic', ['--disk', 'none', '--panic', 'isa']],
    [
      'tpm emulator',
      ['--disk', 'none', '--tpm', 'model=tpm-crb,backend.type=emulator,backend.version=2.0'],
    ],
    ['smartcard', ['--disk', 'none', '--smartcard', 'passthrough,type=spicevmc']],
    ['redirdev', ['--disk', 'none', '--redirdev', 'usb,type=spicevmc']],
    ['input keyboard', ['--disk', 'none', '--input', 'keyboard,bus=virtio']],
    [
      'cpu topology',
      ['--disk', 'none', '--vcpus', '4,sockets=1,cores=2,threads=2', '--cpu', 'host-passthrough'],
    ],
    ['cpu features', ['--disk', 'none', '--cpu', 'Skylake-Client,+vmx,-hle']],
    ['clock', ['--disk', 'none', '--clock', 'offset=localtime,rtc_tickpolicy=catchup']],
    ['features', ['--disk', 'none', '--features', 'acpi=on,apic=on,hyperv.relaxed.state=on']],
    [
      'lifecycle',
      ['--disk', 'none', '--events', 'on_poweroff=destroy,on_reboot=restart,on_crash=restart'],
    ],
    [
      'metadata',
      ['--disk', 'none', '--metadata', 'title=My <VM> & "more",description=multi\nline'],
    ],
    ['memory max', ['--disk', 'none', '--memory', 'memory=1024,currentMemory=512']],
    ['hugepages', ['--disk', 'none', '--memorybacking', 'hugepages=on']],
    ['iommu', ['--disk', 'none', '--iommu', 'model=intel']],
    [
      'shmem',
      ['--disk', 'none', '--shmem', 'name=shm0,model.type=ivshmem-plain,size=8,size.unit=M'],
    ],
    ['qemu commandline', ['--disk', 'none', '--qemu-commandline=-display none']],
  ];
  return list.map(([name, args]) => ({ name, args }));
}

beforeAll(async () => {
  requireTool('virt-install', 'virtinst');
  requireTool('virsh', 'libvirt-clients');
  requireTool('xmllint', 'libxml2-utils');
  dir = await mkdtemp(join(tmpdir(), 'mv-virt-install-'));
  for (const name of ['a.img', 'b.qcow2', 'x.iso', 'vmlinuz', 'initrd', 'code.fd', 'vars.fd'])
    await writeFile(f(name), '');
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function expectRoundTrip(xml: string, what: string): Promise<void> {
  const written = parseDomain(xml).toXml();
  const [a, b] = await Promise.all([canonicalXml(xml), canonicalXml(written)]);
  expect(a.length, `${what}: empty canonical form`).toBeGreaterThan(50);
  expect(b, `${what}: not canonically equal after parse -> serialize`).toBe(a);
}

describe('virt-install --print-xml and virsh dumpxml round trips', () => {
  it('round-trips at least 40 varied virt-install configurations and their dumpxml', async () => {
    const list = configs();
    expect(list.length).toBeGreaterThanOrEqual(40);
    const results = await mapLimit(list, 2, async ({ name, args }, i) => {
      const xml = await virtInstallXml([
        '--osinfo',
        'generic',
        '--name',
        `vi${i}`,
        '--memory',
        '512',
        '--import',
        ...args,
      ]);
      await expectRoundTrip(xml, `virt-install ${name}`);
      const written = parseDomain(xml).toXml();
      await virtXmlValidate(written, 'domain');
      const dumped = await virshDefine(written, 'domain');
      await expectRoundTrip(dumped, `dumpxml of ${name}`);
      return name;
    });
    console.log(
      `virt-install round trips: ${results.length} configurations, each also defined and dumped by libvirt`,
    );
  });
});
