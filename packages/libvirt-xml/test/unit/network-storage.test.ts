import { describe, expect, it } from 'vitest';
import {
  parseDomain,
  parseNetwork,
  parseStoragePool,
  parseStorageVolume,
} from '../../src/index.js';
import { isolatedNetwork, natNetwork, netfsPool, qcow2Volume } from '../helpers/fixtures.js';

describe('network views', () => {
  it('read back what the builder wrote', () => {
    const n = parseNetwork(natNetwork().toXml());
    expect(n.name).toBe('mv-nat');
    expect(n.domainName).toBe('mv.internal');
    expect(n.ips[0]?.prefix).toBe(24);
    expect(n.ips[0]?.family).toBe('ipv4');
    expect(n.ips[0]?.dhcpHosts).toEqual([
      { mac: '52:54:00:12:34:56', name: 'mv-demo', ip: '192.168.42.10' },
    ]);
    const iso = parseNetwork(isolatedNetwork().toXml());
    expect(iso.forwardMode).toBeUndefined();
    expect(iso.mtu).toBe(9000);
    expect(iso.ips[0]?.family).toBe('ipv6');
  });

  it('read libvirt-style documents with portgroups', () => {
    const n = parseNetwork(`<network>
  <name>pg</name>
  <forward mode='bridge'/>
  <bridge name='br0'/>
  <portgroup name='engineering' default='yes'/>
  <portgroup name='sales'/>
</network>`);
    expect(n.forwardMode).toBe('bridge');
    expect(n.portgroups).toEqual(['engineering', 'sales']);
  });
});

describe('storage views', () => {
  it('read pool sources and volume paths', () => {
    const pool = parseStoragePool(netfsPool().toXml());
    expect(pool.type).toBe('netfs');
    expect(pool.source).toEqual({
      host: 'nfs.example',
      dir: '/export/images',
      devices: [],
      format: 'nfs',
    });
    const vol = parseStorageVolume(qcow2Volume().toXml());
    expect(vol.backingStorePath).toBe('/var/lib/mv/images/base.qcow2');
    expect(vol.allocation).toEqual({ value: 0, unit: 'bytes' });
    const lvm = parseStoragePool(`<pool type='logical'>
  <name>vg</name>
  <source><device path='/dev/sdb1'/><device path='/dev/sdc1'/><name>vg0</name><format type='lvm2'/></source>
  <capacity unit='bytes'>1000</capacity>
  <target><path>/dev/vg0</path></target>
</pool>`);
    expect(lvm.source).toEqual({
      devices: ['/dev/sdb1', '/dev/sdc1'],
      name: 'vg0',
      format: 'lvm2',
    });
    expect(lvm.capacity).toEqual({ value: 1000, unit: 'bytes' });
    expect(lvm.targetPath).toBe('/dev/vg0');
  });
});

describe('attribute values are decoded for the typed model', () => {
  it('qemu:commandline args with quotes and ampersands', () => {
    const d =
      parseDomain(`<domain type='kvm' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
  <name>q</name>
  <qemu:commandline>
    <qemu:arg value='-fw_cfg'/>
    <qemu:arg value='name=opt/x,string=&quot;a &amp; b&quot;'/>
  </qemu:commandline>
</domain>`);
    expect(d.qemuCommandline.args).toEqual(['-fw_cfg', 'name=opt/x,string="a & b"']);
  });
});
