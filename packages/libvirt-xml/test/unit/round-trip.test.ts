import { describe, expect, it } from 'vitest';
import { el, parseDomain, parseNetwork } from '../../src/index.js';
import { parseXml, serializeXml } from '../../src/xml/index.js';

const SOURCE = `<?xml version="1.0" encoding="UTF-8"?>
<!-- kept: a comment before the root -->
<domain type='kvm' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0' futureAttr="1">
  <name>rt</name>
  <title>Tom &amp; Jerry &lt;3 &#x263A; &#9731;</title>
  <memory unit='MiB'>512</memory>
  <futureElement some="thing"><nested>text</nested></futureElement>
  <description><![CDATA[raw <markup> & stuff]]></description>
  <os>
    <type arch='x86_64'>hvm</type>
    <!-- why we boot from disk -->
    <boot dev='hd'/>
  </os>
  <devices>
    <disk type='file' device='disk' newAttr='x'>
      <source file='/a.img'/>
      <target dev='vda' bus='virtio'/>
      <unknownChild/>
    </disk>
    <interface type='user'/>
  </devices>
  <qemu:commandline>
    <qemu:arg value='-s'/>
    <qemu:env name='A' value='b c'/>
  </qemu:commandline>
</domain>
<?xml-stylesheet href="style.xsl" type="text/xsl"?>`;

describe('lossless round trip', () => {
  it('writes back comments, CDATA, PIs, namespaces and unknown nodes in place', () => {
    const out = serializeXml(parseXml(SOURCE));
    expect(out.replace(/"/g, "'")).toBe(`${SOURCE.replace(/"/g, "'")}\n`);
  });

  it('decodes entities and character references for the typed model', () => {
    const d = parseDomain(SOURCE);
    expect(d.title).toBe('Tom & Jerry <3 \u263a \u2603');
    expect(d.description).toBe('raw <markup> & stuff');
    expect(d.memory).toEqual({ value: 512, unit: 'MiB' });
    expect(d.qemuCommandline).toEqual({ args: ['-s'], env: [{ name: 'A', value: 'b c' }] });
    expect(d.devices.disks[0]?.source).toBe('/a.img');
  });

  it('reading missing sections does not add them', () => {
    const d = parseDomain(SOURCE);
    expect(d.cpu.mode).toBeUndefined();
    expect(d.clock.offset).toBeUndefined();
    expect(d.features.names).toEqual([]);
    expect(d.cpu.present).toBe(false);
    expect(d.toXml()).toBe(serializeXml(parseXml(SOURCE)));
  });

  it('edits keep unknown elements and attributes and line up with the existing indentation', () => {
    const d = parseDomain(SOURCE);
    d.name = 'renamed';
    d.vsock({ cid: 7 });
    d.network({ network: 'default', mac: '52:54:00:00:00:01' });
    d.cpu.mode = 'host-passthrough';
    const out = d.toXml();
    expect(out).toContain('futureAttr="1"');
    expect(out).toContain('<futureElement some="thing"><nested>text</nested></futureElement>');
    expect(out).toContain('newAttr="x"');
    expect(out).toContain('<unknownChild/>');
    expect(out).toContain('<name>renamed</name>');
    // The new NIC goes after the existing one, indented like it.
    expect(out).toContain(
      '    <interface type="user"/>\n    <interface type="network">\n      <mac address="52:54:00:00:00:01"/>\n      <source network="default"/>\n    </interface>\n    <vsock model="virtio">',
    );
    // <cpu> lands in libvirt's order: after <os>, before <devices>.
    expect(out.indexOf('<cpu')).toBeGreaterThan(out.indexOf('</os>'));
    expect(out.indexOf('<cpu')).toBeLessThan(out.indexOf('<devices>'));
    const again = parseDomain(out);
    expect(again.devices.interfaces.map((i) => i.type)).toEqual(['user', 'network']);
    expect(again.devices.vsock?.cid).toBe(7);
  });

  it('escapes every string on output', () => {
    const d = parseDomain('<domain type="kvm"><name>x</name></domain>');
    d.title = `<&"'>`;
    d.setAttr('weird', `a"b'c<d>&\n`);
    const back = parseDomain(d.toXml());
    expect(back.title).toBe(`<&"'>`);
    expect(back.attr('weird')).toBe(`a"b'c<d>&\n`);
  });

  it('stores namespaced application metadata and finds it by namespace', () => {
    const ns = 'https://multiverse-os.org/xmlns/instance/1';
    const d = parseDomain('<domain type="kvm"><name>x</name><memory>1</memory></domain>');
    d.setMetadata(ns, 'multiverse', el('instance', { id: 'i-1' }, el('role', {}, 'router')));
    const back = parseDomain(d.toXml());
    const md = back.metadata(ns);
    expect(md?.name).toBe('multiverse:instance');
    expect(md?.attrs['xmlns:multiverse']).toBe(ns);
    expect(back.toXml().indexOf('<metadata>')).toBeLessThan(back.toXml().indexOf('<memory>'));
    // Replacing keeps a single element.
    back.setMetadata(ns, 'multiverse', el('instance', { id: 'i-2' }));
    expect(back.toXml().match(/multiverse:instance/g)).toHaveLength(1);
  });

  it('reads networks with typed views', () => {
    const n = parseNetwork(`<network>
  <name>default</name>
  <forward mode='nat'/>
  <bridge name='virbr0' stp='on' delay='0'/>
  <ip address='192.168.122.1' netmask='255.255.255.0'>
    <dhcp><range start='192.168.122.2' end='192.168.122.254'/></dhcp>
  </ip>
</network>`);
    expect(n.forwardMode).toBe('nat');
    expect(n.bridge).toBe('virbr0');
    expect(n.ips[0]?.netmask).toBe('255.255.255.0');
    expect(n.ips[0]?.dhcpRanges).toEqual([{ start: '192.168.122.2', end: '192.168.122.254' }]);
  });
});
