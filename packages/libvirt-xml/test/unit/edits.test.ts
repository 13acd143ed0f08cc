import { describe, expect, it } from 'vitest';
import { cloneDomain, parseDomain } from '../../src/index.js';
import { fullDomain, readmeKernelBootDomain } from '../helpers/fixtures.js';

describe('editing parsed domains', () => {
  it('removes devices with their indentation', () => {
    const d = parseDomain(fullDomain().toXml());
    const before = d.devices.interfaces.length;
    const user = d.devices.interfaces.find((i) => i.type === 'user');
    expect(user && d.devices.remove(user)).toBe(true);
    expect(d.devices.interfaces).toHaveLength(before - 1);
    expect(d.toXml()).not.toContain('type="user"');
    expect(d.toXml()).not.toMatch(/\n\s*\n/);
    // Removing twice is a no-op.
    expect(user && d.devices.remove(user)).toBe(false);
  });

  it('swaps and ejects cdrom media, changes a NIC model', () => {
    const d = parseDomain(fullDomain().toXml());
    const cdrom = d.devices.disks.find((disk) => disk.device === 'cdrom');
    cdrom?.setSourceFile('/var/lib/mv/other.iso');
    expect(parseDomain(d.toXml()).devices.disks.find((x) => x.device === 'cdrom')?.source).toBe(
      '/var/lib/mv/other.iso',
    );
    cdrom?.setSourceFile(undefined);
    expect(
      parseDomain(d.toXml()).devices.disks.find((x) => x.device === 'cdrom')?.source,
    ).toBeUndefined();
    expect(() => cdrom?.setSourceFile('relative.iso')).toThrow(
      /devices\.disks\[4\]\.source: invalid value "relative.iso"/,
    );
    const nic = d.devices.interfaces[3];
    if (nic) nic.model = 'virtio';
    const xml = d.toXml();
    // <model> goes after <source>, where libvirt puts it.
    expect(xml).toMatch(/<source dev="eth0" mode="bridge"\/>\n\s*<model type="virtio"\/>/);
  });

  it('clones for templates', () => {
    const template = readmeKernelBootDomain();
    const a = cloneDomain(template);
    a.name = 'copy-a';
    a.network({ user: true });
    expect(template.name).toBe('mv-demo');
    expect(template.devices.interfaces).toHaveLength(0);
    expect(a.devices.interfaces).toHaveLength(1);
    expect(cloneDomain(template).toXml()).toBe(template.toXml());
  });
});
