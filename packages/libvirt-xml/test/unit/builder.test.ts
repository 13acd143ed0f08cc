import { describe, expect, it } from 'vitest';
import { domain, InvalidValueError, parseDomain } from '../../src/index.js';
import {
  bridgedNetwork,
  dirPool,
  fullDomain,
  hugepagesDomain,
  MULTIVERSE_NS,
  natNetwork,
  qcow2Volume,
  readmeKernelBootDomain,
  s390Domain,
} from '../helpers/fixtures.js';

describe('domain builder', () => {
  it('builds a kernel-boot domain with a 9p share, vsock and serial console', () => {
    const d = readmeKernelBootDomain();
    expect(d.name).toBe('mv-demo');
    expect(d.type).toBe('kvm');
    expect(d.memory).toEqual({ value: 1, unit: 'GiB' });
    expect(d.vcpus).toBe(2);
    expect(d.os.kernel).toBe('/var/lib/mv/vmlinuz');
    expect(d.os.initrd).toBe('/var/lib/mv/initrd.img');
    expect(d.os.cmdline).toBe('console=ttyS0 quiet');
    expect(d.os.machine).toBe('q35');
    expect(d.features.names).toEqual(['acpi', 'apic']);
    expect(d.devices.filesystems[0]?.target).toBe('share');
    expect(d.devices.filesystems[0]?.accessmode).toBe('mapped');
    expect(d.devices.vsock?.cid).toBe(42);
    expect(d.devices.serials).toHaveLength(1);
    expect(d.devices.consoles[0]?.targetType).toBe('serial');
    const again = parseDomain(d.toXml());
    expect(again.toXml()).toBe(d.toXml());
  });

  it('builds every device family and reads it back through the typed views', () => {
    const d = parseDomain(fullDomain().toXml());
    expect(d.uuid).toBe('4dea22b3-1d52-d8f3-2516-782e98ab3fa0');
    expect(d.currentMemory).toEqual({ value: 3, unit: 'GiB' });
    expect(d.maxMemory).toEqual({ value: 16, unit: 'GiB', slots: 4 });
    expect(d.metadata(MULTIVERSE_NS)?.attrs.role).toBe('router');
    expect(d.os.loader).toBe('/usr/share/OVMF/OVMF_CODE_4M.secboot.fd');
    expect(d.os.loaderType).toBe('pflash');
    expect(d.os.secure).toBe(true);
    expect(d.os.nvram).toBe('/var/lib/mv/nvram/full_VARS.fd');
    expect(d.features.has('smm')).toBe(true);
    expect(d.cpu.mode).toBe('host-passthrough');
    expect(d.cpu.topology).toEqual({ sockets: 1, dies: 1, cores: 2, threads: 2 });
    expect(d.cpu.features).toEqual([{ name: 'vmx', policy: 'disable' }]);
    expect(d.clock.offset).toBe('utc');
    expect(d.clock.timers.map((t) => t.name)).toEqual(['rtc', 'hpet']);
    expect(d.onCrash).toBe('coredump-destroy');
    expect(d.pm).toEqual({ suspendToMem: false, suspendToDisk: false });
    expect(d.memoryBacking.sourceType).toBe('memfd');
    expect(d.memoryBacking.accessMode).toBe('shared');
    const dev = d.devices;
    expect(dev.emulator).toBe('/usr/bin/qemu-system-x86_64');
    expect(dev.disks.map((x) => [x.device, x.source, x.target, x.bus])).toEqual([
      ['disk', '/var/lib/mv/full.qcow2', 'vda', 'virtio'],
      ['disk', '/dev/sdb', 'vdb', 'virtio'],
      ['disk', 'export', 'vdc', 'virtio'],
      ['disk', '/var/lib/mv/data.img', 'sdb', 'scsi'],
      ['cdrom', '/var/lib/mv/install.iso', 'sda', 'sata'],
    ]);
    expect(dev.disks[0]?.format).toBe('qcow2');
    expect(dev.disks[0]?.cache).toBe('none');
    expect(dev.disks[0]?.io).toBe('native');
    expect(dev.disks[0]?.bootOrder).toBe(1);
    expect(dev.disks[0]?.backingFile).toBe('/var/lib/mv/base.qcow2');
    expect(dev.disks[1]?.shareable).toBe(true);
    expect(dev.disks[3]?.address?.value).toEqual({
      type: 'drive',
      controller: 0,
      bus: 0,
      target: 0,
      unit: 1,
    });
    expect(dev.disks[4]?.readonly).toBe(true);
    expect(dev.filesystems.map((f) => [f.accessmode, f.driver, f.readonly])).toEqual([
      ['squash', undefined, true],
      ['passthrough', 'virtiofs', false],
    ]);
    expect(dev.interfaces.map((i) => [i.type, i.source, i.model])).toEqual([
      ['network', 'default', 'virtio'],
      ['bridge', 'br0', 'virtio'],
      ['user', undefined, 'e1000e'],
      ['direct', 'eth0', undefined],
      ['vhostuser', '/run/mv/vhost.sock', 'virtio'],
    ]);
    expect(dev.interfaces[0]?.mac).toBe('52:54:00:12:34:56');
    expect(dev.interfaces[0]?.address?.value).toEqual({
      type: 'pci',
      domain: 0,
      bus: 1,
      slot: 0,
      function: 0,
    });
    expect(dev.interfaces[1]?.linkState).toBe('down');
    expect(dev.interfaces[1]?.driverName).toBe('vhost');
    expect(dev.serials.map((s) => s.type)).toEqual(['pty', 'unix']);
    expect(dev.channels.map((c) => c.targetName)).toEqual([
      'org.qemu.guest_agent.0',
      'org.multiverse.agent.0',
      'com.redhat.spice.0',
    ]);
    expect(dev.channels[1]?.sourcePath).toBe('/run/mv/agent.sock');
    expect(dev.graphics.map((g) => g.type)).toEqual(['spice', 'vnc']);
    expect(dev.videos[0]?.model).toBe('virtio');
    expect(dev.sounds[0]?.model).toBe('ich9');
    expect(dev.hostdevs[0]?.sourceAddress?.attr('bus')).toBe('0x03');
    expect(dev.hostdevs[0]?.managed).toBe(true);
    expect(dev.hostdevs[1]?.managed).toBe(false);
    expect(dev.hostdevs[1]?.usbId).toEqual({ vendor: 0x046d, product: 0xc52b });
    expect(dev.hostdevs[0]?.usbId).toBeUndefined();
    expect(dev.redirdevs).toHaveLength(1);
    expect(dev.smartcards).toHaveLength(1);
    expect(dev.rngs[0]?.model).toBe('virtio');
    expect(dev.tpms[0]?.model).toBe('tpm-crb');
    expect(dev.watchdogs[0]?.model).toBe('i6300esb');
    expect(dev.memballoon?.model).toBe('virtio');
    expect(dev.panics[0]?.model).toBe('isa');
    expect(dev.shmems.map((s) => s.model)).toEqual(['ivshmem-plain', 'ivshmem-doorbell']);
    expect(dev.memories.map((m) => [m.model, m.size, m.node])).toEqual([
      ['dimm', { value: 512, unit: 'MiB' }, 0],
      ['nvdimm', { value: 256, unit: 'MiB' }, 0],
    ]);
    expect(dev.memories[1]?.labelSize).toEqual({ value: 128, unit: 'KiB' });
    expect(dev.memories[1]?.sourcePath).toBe('/var/lib/mv/nvdimm.img');
    expect(dev.shmems[0]?.size).toEqual({ value: 4, unit: 'MiB' });
    expect(dev.shmems[1]?.serverPath).toBe('/run/mv/ivshmem.sock');
    expect(dev.graphics[1]?.port).toBe(5905);
    expect(dev.graphics[1]?.autoport).toBe(false);
    expect(dev.graphics[1]?.listen).toBe('127.0.0.1');
    expect(dev.iommu?.model).toBe('intel');
    expect(d.features.has('ioapic')).toBe(true);
    expect(dev.vsock?.auto).toBe(true);
    expect(d.qemuCommandline.env).toEqual([{ name: 'MV_TRACE', value: '1' }]);
    expect(parseDomain(s390Domain().toXml()).keywrap).toEqual([
      { name: 'aes', state: 'on' },
      { name: 'dea', state: 'off' },
    ]);
  });

  it('sets memory backing, CPU mode and BIOS boot order', () => {
    const d = parseDomain(hugepagesDomain().toXml());
    expect(d.memoryBacking.hugepages).toBe(true);
    expect(d.memoryBacking.hugepageSizes).toEqual([{ value: 2, unit: 'MiB' }]);
    expect(d.memoryBacking.locked).toBe(true);
    expect(d.memoryBacking.nosharepages).toBe(true);
    expect(d.cpu.mode).toBe('maximum');
    expect(d.os.boot).toEqual(['network', 'hd']);
  });

  it('refuses per-device boot order mixed with <os><boot>', () => {
    const d = domain({ name: 'x', memory: '1 GiB' }).disk({
      source: '/a.img',
      target: 'vda',
      boot: 1,
    });
    expect(() => d.bootOrder(['hd'])).toThrow(/os\.boot: .*per-device boot order \(disk\)/);
    const e = domain({ name: 'y', memory: '1 GiB' }).bootOrder(['network']);
    expect(() => e.network({ user: true, boot: 1 })).toThrow(/devices\.interfaces\[0\]\.boot/);
  });

  it('names the path and value of a bad MAC', () => {
    const d = domain({ name: 'x', memory: '1 GiB' })
      .network({ user: true })
      .network({ network: 'default' });
    const nic = d.devices.interfaces[1];
    expect(() => {
      if (nic) nic.mac = 'zz:00:00:00:00:00';
    }).toThrow(/devices\.interfaces\[1\]\.mac: invalid value "zz:00:00:00:00:00"/);
    expect(() => d.network({ user: true, mac: '01:00:00:00:00:00' })).toThrow(InvalidValueError);
  });

  it('refuses a vsock CID below 3', () => {
    expect(() => domain({ name: 'x', memory: 1024 }).vsock({ cid: 2 })).toThrow(
      /devices\.vsock\[0\]\.cid/,
    );
  });

  it('refuses out-of-range PCI addresses', () => {
    const d = domain({ name: 'x', memory: '1GiB' });
    expect(() => d.hostdev({ pci: { bus: 1, slot: 0x20, function: 0 } })).toThrow(
      /devices\.hostdevs\[0\]\.pci\.slot/,
    );
    expect(() =>
      d.disk({
        source: '/a.img',
        target: 'vda',
        address: { type: 'pci', bus: 0, slot: 3, function: 8 },
      }),
    ).toThrow(/devices\.disks\[0\]\.address\.function/);
  });

  it('round-trips a title with <&"\'> exactly', () => {
    const title = `a <b> & "c" 'd'`;
    const d = domain({ name: 'x', memory: '1 GiB', title, description: 'line1\nline2 ]]> &amp;' });
    const back = parseDomain(d.toXml());
    expect(back.title).toBe(title);
    expect(back.description).toBe('line1\nline2 ]]> &amp;');
  });

  it('refuses bad names, UUIDs, units and enums', () => {
    expect(() => domain({ name: 'a/b', memory: '1 GiB' })).toThrow(/name: .*'\/'/);
    expect(() => domain({ name: 'a', memory: '1 GiB', uuid: 'nope' })).toThrow(/uuid/);
    expect(() => domain({ name: 'a', memory: '2 parsecs' })).toThrow(/memory/);
    expect(() =>
      domain({ name: 'a', memory: '1 GiB' }).disk({
        source: '/x',
        target: 'vda',
        cache: 'fast' as 'none',
      }),
    ).toThrow(/devices\.disks\[0\]\.cache/);
  });
});

describe('network and storage builders', () => {
  it('builds a NAT network with DHCP', () => {
    const n = natNetwork();
    expect(n.forwardMode).toBe('nat');
    expect(n.bridge).toBe('virbr42');
    expect(n.ips[0]?.dhcpRanges).toEqual([{ start: '192.168.42.100', end: '192.168.42.200' }]);
    expect(bridgedNetwork().toXml()).not.toContain('stp=');
    expect(() => n.ip({ address: '300.1.1.1', prefix: 24 })).toThrow(/ips\[1\]\.address/);
  });

  it('builds a dir pool and a qcow2 volume', () => {
    const pool = dirPool();
    expect(pool.type).toBe('dir');
    expect(pool.targetPath).toBe('/var/lib/mv/images');
    const vol = qcow2Volume();
    expect(vol.capacity).toEqual({ value: 10, unit: 'GiB' });
    expect(vol.format).toBe('qcow2');
  });
});
