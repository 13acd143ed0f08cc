import { describe, expect, it } from 'vitest';
import {
  domain,
  InvalidValueError,
  network,
  parseDomain,
  storagePool,
  storageVolume,
} from '../../src/index.js';

describe('domain builder', () => {
  it('builds a kernel-boot domain with a 9p share, vsock and serial console', () => {
    const d = domain({ name: 'demo', memory: '2 GiB', vcpus: 2 })
      .kernelBoot({ kernel: '/boot/vmlinuz', initrd: '/boot/initrd.img', cmdline: 'console=ttyS0' })
      .filesystem({ source: '/srv/share', target: 'share', accessmode: 'mapped' })
      .vsock({ cid: 3 })
      .serialConsole();
    expect(d.name).toBe('demo');
    expect(d.memory).toEqual({ value: 2, unit: 'GiB' });
    expect(d.vcpus).toBe(2);
    expect(d.os.kernel).toBe('/boot/vmlinuz');
    expect(d.os.cmdline).toBe('console=ttyS0');
    expect(d.devices.filesystems[0]?.target).toBe('share');
    expect(d.devices.filesystems[0]?.accessmode).toBe('mapped');
    expect(d.devices.vsock?.cid).toBe(3);
    expect(d.devices.serials).toHaveLength(1);
    expect(d.devices.consoles[0]?.targetType).toBe('serial');
    const again = parseDomain(d.toXml());
    expect(again.toXml()).toBe(d.toXml());
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
    const n = network({
      name: 'mv-nat',
      forward: 'nat',
      bridge: 'virbr42',
      ips: [
        {
          address: '192.168.42.1',
          prefix: 24,
          dhcp: { range: { start: '192.168.42.10', end: '192.168.42.99' } },
        },
      ],
    });
    expect(n.forwardMode).toBe('nat');
    expect(n.ips[0]?.dhcpRanges).toEqual([{ start: '192.168.42.10', end: '192.168.42.99' }]);
    expect(() => n.ip({ address: '300.1.1.1', prefix: 24 })).toThrow(/ips\[1\]\.address/);
  });

  it('builds a dir pool and a qcow2 volume', () => {
    const pool = storagePool({ name: 'images', path: '/var/lib/mv/images' });
    expect(pool.type).toBe('dir');
    expect(pool.targetPath).toBe('/var/lib/mv/images');
    const vol = storageVolume({ name: 'root.qcow2', capacity: '10 GiB', format: 'qcow2' });
    expect(vol.capacity).toEqual({ value: 10, unit: 'GiB' });
    expect(vol.format).toBe('qcow2');
  });
});
