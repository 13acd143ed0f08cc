import { describe, expect, it } from 'vitest';
import {
  type Domain,
  domain,
  InvalidValueError,
  LibvirtXmlError,
  MalformedValueError,
  parseDomain,
  parseNetwork,
  XmlForbiddenError,
  XmlMalformedError,
  XmlTooLargeError,
} from '../../src/index.js';
import { DEFAULT_MAX_DEPTH, DEFAULT_MAX_SIZE, parseXml } from '../../src/xml/index.js';
import { caught } from '../helpers/caught.js';
import { BUILT_DOCUMENTS } from '../helpers/fixtures.js';

/**
 * Hostile input, from a caller or from a file: every case ends in a typed error that names
 * what was wrong and where, within a bounded time and memory, and nothing half-applied stays
 * in the document.
 */

/** The builder call throws an InvalidValueError at `path`, and the domain is left as it was. */
function refused(d: Domain, call: (d: Domain) => unknown, path: string, reason: RegExp): void {
  const before = d.toXml();
  const error = caught(() => call(d));
  expect(error).toBeInstanceOf(InvalidValueError);
  expect(error).toMatchObject({ code: 'INVALID_VALUE', path });
  expect((error as Error).message).toMatch(reason);
  expect(d.toXml()).toBe(before);
}

const base = () => domain({ name: 'mv-hostile', memory: '1 GiB' });

describe('builders refuse what libvirt refuses, at the call that causes it', () => {
  it('a duplicate disk target', () => {
    const d = base().disk({ source: '/a.img', target: 'vda', bus: 'virtio' });
    refused(
      d,
      (x) => x.disk({ source: '/b.img', target: 'vda', bus: 'virtio' }),
      'devices.disks[1].target',
      /two disks with one target \(already used by devices\.disks\[0\]\)/,
    );
    // A cdrom counts too: it is a <disk>.
    const s = base().disk({ source: '/a.img', target: 'sda', bus: 'sata' });
    refused(s, (x) => x.cdrom({ target: 'sda' }), 'devices.disks[1].target', /one target/);
  });

  it('a second serial console, and a second serial port on one port', () => {
    const d = base().serialConsole();
    refused(
      d,
      (x) => x.serialConsole(),
      'devices.consoles[1].target',
      /only the first console can be a serial console/,
    );
    refused(d, (x) => x.serial({ port: 0 }), 'devices.serials[1].port', /two serial ports/);
    // Another serial port on a free port is fine, and serialConsole() picks a free port.
    d.serial({ type: 'unix', path: '/run/s.sock', port: 1 });
    const fresh = base().serial({ port: 0 }).serialConsole();
    expect(fresh.devices.serials.map((s) => s.targetPort)).toEqual(['0', '1']);
    expect(fresh.devices.consoles[0]?.targetPort).toBe('1');
    // Checked in place, the first console stays allowed to be the serial one.
    const parsed = parseDomain(`<domain><name>c</name><memory>1</memory><devices>
  <console type="pty"><target type="serial" port="0"/></console>
  <console type="pty"><target type="virtio" port="1"/></console>
</devices></domain>`);
    const [first, second] = parsed.devices.consoles;
    if (first) first.alias = 'ua-console0';
    expect(first?.alias).toBe('ua-console0');
    expect(() => {
      if (second) second.alias = 'ua-console0';
    }).toThrow(/devices\.consoles\[1\]\.alias: .*already used by devices\.consoles\[0\]/);
  });

  it('memory of 0 or past libvirt limit, vCPUs of 0 or out of range', () => {
    for (const memory of [0, '0 GiB', { value: 0, unit: 'MiB' }]) {
      expect(caught(() => domain({ name: 'x', memory }))).toMatchObject({
        code: 'INVALID_VALUE',
        path: 'memory',
      });
    }
    expect(() => domain({ name: 'x', memory: '9 EiB' })).toThrow(/memory: .*limit of/);
    expect(() => domain({ name: 'x', memory: '1 b' })).not.toThrow(); // libvirt rounds up to 1 KiB
    for (const vcpus of [0, -1, 1.5, 16385, Number.NaN]) {
      expect(caught(() => domain({ name: 'x', memory: '1 GiB', vcpus }))).toMatchObject({
        code: 'INVALID_VALUE',
        path: 'vcpu',
      });
    }
    const d = base();
    expect(() => d.setMaxMemory(0, 1)).toThrow(/maxMemory: .*at least 1 KiB/);
    d.currentMemory = 0; // libvirt accepts it
  });

  it('a second vsock, memballoon, iommu or watchdog instead of silently replacing the first', () => {
    refused(
      base().vsock({ cid: 3 }),
      (x) => x.vsock({ cid: 4 }),
      'devices.vsock[1]',
      /only one <vsock> device \(already used by devices\.vsock\[0\]\)/,
    );
    refused(
      base().memballoon(),
      (x) => x.memballoon(),
      'devices.memballoon[1]',
      /one <memballoon>/,
    );
    const iommu = base().iommu({ model: 'intel' });
    refused(iommu, (x) => x.iommu({ intremap: true }), 'devices.iommu[1]', /one <iommu>/);
    refused(base().watchdog(), (x) => x.watchdog(), 'devices.watchdogs[1]', /one <watchdog>/);
    refused(base().tpm(), (x) => x.tpm({ model: 'tpm-tis' }), 'devices.tpms[1]', /one TPM/);
  });

  it('duplicate PCI, drive, virtio-serial and ccw addresses, in any spelling', () => {
    const d = base().network({
      user: true,
      address: { type: 'pci', domain: 0, bus: 1, slot: 2, function: 0 },
    });
    refused(
      d,
      (x) =>
        x.disk({
          source: '/a.img',
          target: 'vda',
          address: { type: 'pci', bus: 1, slot: 2 },
        }),
      'devices.disks[0].address',
      /two devices at one address \(already used by devices\.interfaces\[0\]\)/,
    );
    // A parsed document spelling the same address in decimal collides too.
    const parsed = parseDomain(`<domain type="kvm"><name>p</name><memory>1</memory><devices>
  <disk type="file" device="disk"><source file="/a"/><target dev="sda" bus="scsi"/><address type="drive" controller="0" bus="0" target="0" unit="1"/></disk>
  <interface type="user"><address type="pci" domain="0" bus="1" slot="31" function="0"/></interface>
</devices></domain>`);
    refused(
      parsed,
      (x) =>
        x.disk({
          source: '/b',
          target: 'sdb',
          bus: 'scsi',
          address: { type: 'drive', unit: 1 },
        }),
      'devices.disks[1].address',
      /already used by devices\.disks\[0\]/,
    );
    refused(
      parsed,
      (x) => x.network({ user: true, address: { type: 'pci', bus: 1, slot: 0x1f } }),
      'devices.interfaces[1].address',
      /one address/,
    );
    // setAddress on a listed device is checked against the others too.
    const nic = parsed.devices.interfaces[0];
    const disk = parsed.devices.disks[0];
    expect(() => disk?.setAddress({ type: 'pci', bus: 1, slot: 31 })).toThrow(
      /devices\.disks\[0\]\.address: .*already used by devices\.interfaces\[0\]/,
    );
    expect(disk?.address?.type).toBe('drive');
    nic?.setAddress({ type: 'pci', bus: 1, slot: 31, function: 0 }); // its own address is fine
  });

  it('duplicate aliases and MAC addresses, and multicast MACs', () => {
    const d = parseDomain(`<domain type="kvm"><name>p</name><memory>1</memory><devices>
  <interface type="user"><mac address="52:54:00:00:00:01"/><alias name="ua-net0"/></interface>
  <interface type="user"><mac address="52:54:00:00:00:02"/></interface>
</devices></domain>`);
    const second = d.devices.interfaces[1];
    if (!second) throw new Error('parsed interface missing');
    expect(
      caught(() => {
        second.alias = 'ua-net0';
      }),
    ).toMatchObject({
      code: 'INVALID_VALUE',
      path: 'devices.interfaces[1].alias',
    });
    expect(() => {
      second.alias = 'net0';
    }).toThrow(/'ua-'/);
    expect(() => {
      second.mac = '52:54:00:00:00:01';
    }).toThrow(
      /devices\.interfaces\[1\]\.mac: .*share a MAC address \(already used by devices\.interfaces\[0\]\)/,
    );
    expect(second.mac).toBe('52:54:00:00:00:02');
    refused(
      d,
      (x) => x.network({ user: true, mac: '52:54:00:00:00:01' }),
      'devices.interfaces[2].mac',
      /share a MAC/,
    );
    refused(
      d,
      (x) => x.network({ user: true, mac: '01:00:10:00:00:01' }),
      'devices.interfaces[2].mac',
      /multicast/,
    );
    // Case does not hide a duplicate.
    d.network({ user: true, mac: '52:54:00:00:00:0A' });
    refused(
      d,
      (x) => x.network({ user: true, mac: '52:54:00:00:00:0a' }),
      'devices.interfaces[3].mac',
      /share a MAC/,
    );
  });

  it('the rest of the family: boot order, controller index, hostdev, mount tag, channel, graphics', () => {
    const d = base()
      .disk({ source: '/a.img', target: 'vda', boot: 1 })
      .controller({ type: 'scsi', index: 0 })
      .hostdev({ pci: '0000:03:00.0' })
      .hostdev({ usb: { vendor: 0x046d, product: 0xc52b } })
      .filesystem({ source: '/srv/a', target: 'share' })
      .channel({ type: 'unix', name: 'org.mv.0' })
      .graphics({ type: 'vnc' });
    refused(
      d,
      (x) => x.network({ user: true, boot: 1 }),
      'devices.interfaces[0].boot',
      /boot order/,
    );
    refused(
      d,
      (x) => x.controller({ type: 'scsi', index: 0 }),
      'devices.controllers[1].index',
      /index/,
    );
    d.controller({ type: 'usb', index: 0 }); // another type may share the index
    refused(
      d,
      (x) => x.hostdev({ pci: { domain: 0, bus: 3, slot: 0, function: 0 } }),
      'devices.hostdevs[2].source',
      /same host device twice/,
    );
    refused(
      d,
      (x) => x.hostdev({ usb: { vendor: 0x046d, product: 0xc52b }, managed: false }),
      'devices.hostdevs[2].source',
      /same host device twice/,
    );
    refused(
      d,
      (x) => x.filesystem({ source: '/srv/b', target: 'share' }),
      'devices.filesystems[1].target',
      /mount tag/,
    );
    refused(
      d,
      (x) => x.channel({ type: 'unix', name: 'org.mv.0' }),
      'devices.channels[1].name',
      /port name/,
    );
    refused(
      d,
      (x) => x.graphics({ type: 'vnc', port: 5901 }),
      'devices.graphics[1].type',
      /one vnc/,
    );
    d.graphics({ type: 'spice' }); // one of each type is fine
  });
});

describe('the parser: character references, entities, size and depth', () => {
  it.each([
    ['NUL', '&#0;', 'U+0000'],
    ['NUL in hex', '&#x0;', 'U+0000'],
    ['a C0 control', '&#x1B;', 'U+001B'],
    ['a lone high surrogate', '&#xD800;', 'U+D800'],
    ['a lone low surrogate', '&#57343;', 'U+DFFF'],
    ['U+FFFE', '&#xFFFE;', 'U+FFFE'],
    ['U+FFFF', '&#65535;', 'U+FFFF'],
    ['past U+10FFFF', '&#x110000;', 'beyond U+10FFFF'],
    ['a huge number', `&#${'9'.repeat(5000)};`, 'beyond U+10FFFF'],
  ])('refuses a reference to %s, located, in text and in attributes', (_name, ref, what) => {
    for (const [xml, line, column] of [
      [`<domain>\n  <name>a${ref}</name></domain>`, 2, 10],
      [`<domain type="kvm">\n<devices>\n<disk device="${ref}"/></devices></domain>`, 3, 15],
    ] as const) {
      const error = caught(() => parseDomain(xml));
      expect(error).toBeInstanceOf(XmlMalformedError);
      expect(error).toMatchObject({ code: 'XML_MALFORMED', line, column });
      expect((error as Error).message).toContain(`(${what}) is not allowed in XML`);
      expect((error as Error).message.length).toBeLessThan(200);
    }
  });

  it('refuses the raw characters too (NUL, controls, lone surrogates, U+FFFF), located', () => {
    for (const ch of ['\u0000', '\u0008', '\u001F', '\uD800', '\uDC00', '\uFFFF']) {
      const error = caught(() => parseDomain(`<domain>\n<name>a${ch}</name></domain>`));
      expect(error).toMatchObject({ code: 'XML_MALFORMED', line: 2, column: 8 });
    }
  });

  it('keeps what XML allows: tab/LF/CR references, astral characters, references in comments and CDATA', () => {
    const xml =
      '<domain><name>a&#9;&#xA;&#13;&#x1F600;\uD83D\uDE00&#x10FFFF;</name><!-- &#0; --><description><![CDATA[&#xD800;]]></description></domain>';
    const d = parseDomain(xml);
    expect(d.name).toBe('a\t\n\r\u{1F600}\u{1F600}\u{10FFFF}');
    expect(d.description).toBe('&#xD800;');
    expect(d.toXml()).toBe(`${xml}\n`);
  });

  it('setters refuse the same characters a document cannot hold', () => {
    const d = parseDomain('<domain><name>x</name></domain>');
    for (const bad of ['a\u0000', 'a\uD800b', '\uDFFF', 'a\uFFFE']) {
      expect(() => {
        d.description = bad;
      }).toThrow(/^description: invalid value .*a character XML cannot represent/);
    }
    expect(() => d.network({ network: 'a\u0000' })).toThrow(InvalidValueError);
    expect(d.toXml()).toBe('<domain><name>x</name></domain>\n');
  });

  it('refuses entity bombs and external entities before expanding anything', () => {
    const levels = Array.from(
      { length: 10 },
      (_, i) => `<!ENTITY l${i + 1} "${`&l${i};`.repeat(10)}">`,
    ).join('');
    const bomb = `<!DOCTYPE domain [<!ENTITY l0 "lol">${levels}]><domain><name>&l10;</name></domain>`;
    const started = performance.now();
    expect(caught(() => parseDomain(bomb))).toBeInstanceOf(XmlForbiddenError);
    expect(() =>
      parseDomain('<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/shadow">]><domain>&x;</domain>'),
    ).toThrow(XmlForbiddenError);
    expect(() => parseDomain('<!doctype domain><domain/>')).toThrow(XmlForbiddenError);
    // Undefined entities are not looked up anywhere.
    expect(() => parseDomain('<domain><name>&shadow;</name></domain>')).toThrow(
      /undefined entity or stray '&' near "&shadow;/,
    );
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('refuses oversize input before parsing, with the limit in the error', () => {
    const huge = `<domain><name>${'x'.repeat(DEFAULT_MAX_SIZE)}</name></domain>`;
    const started = performance.now();
    const error = caught(() => parseDomain(huge));
    expect(error).toBeInstanceOf(XmlTooLargeError);
    expect(error).toMatchObject({ code: 'XML_TOO_LARGE', maxSize: DEFAULT_MAX_SIZE });
    expect(performance.now() - started).toBeLessThan(500);
    // A smaller bound for untrusted callers is honoured the same way.
    expect(() => parseNetwork('<network/>'.padEnd(2000, ' '), { maxSize: 1024 })).toThrow(
      /2000 characters exceeds the limit of 1024/,
    );
  });

  it('refuses deep nesting with a typed error, never a stack overflow', () => {
    const nest = (n: number) => `<domain>${'<a>'.repeat(n)}${'</a>'.repeat(n)}</domain>`;
    expect(() => parseDomain(nest(DEFAULT_MAX_DEPTH + 1))).toThrow(
      new RegExp(`nested deeper than ${DEFAULT_MAX_DEPTH}`),
    );
    // Far past the parser's own ceiling, and unclosed: still a typed error, quickly.
    const started = performance.now();
    expect(caught(() => parseDomain(nest(200_000)))).toBeInstanceOf(XmlMalformedError);
    expect(caught(() => parseDomain(`<domain>${'<a>'.repeat(200_000)}`))).toBeInstanceOf(
      XmlMalformedError,
    );
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('many attributes, long names, many references: bounded by maxSize and quick', () => {
    const started = performance.now();
    const attrs = Array.from({ length: 50_000 }, (_, i) => `a${i}="&#65;"`).join(' ');
    const d = parseDomain(`<domain ${attrs}><name>${'&#65;'.repeat(100_000)}</name></domain>`);
    expect(d.name?.length).toBe(100_000);
    expect(d.attr('a49999')).toBe('A');
    expect(() => parseXml(`<${'n'.repeat(2_000_000)}/>`)).not.toThrow();
    expect(performance.now() - started).toBeLessThan(10_000);
  });

  it('wrong types are typed errors, not crashes', () => {
    for (const input of [undefined, null, 42, {}, [], Buffer.from('<domain/>')]) {
      const error = caught(() => parseDomain(input as unknown as string));
      expect(error).toBeInstanceOf(LibvirtXmlError);
      expect(error).toMatchObject({ code: 'XML_MALFORMED' });
    }
    const d = domain({ name: 'x', memory: '1 GiB' });
    for (const call of [
      () => domain({ name: 42 as unknown as string, memory: '1 GiB' }),
      () => domain({ name: 'x', memory: '1 GiB', vcpus: '2' as unknown as number }),
      () => domain({ name: 'x', memory: { value: -1, unit: 'KiB' } }),
      () => domain({ name: 'x', memory: '1 furlong' }),
      () => d.disk({ target: 42 as unknown as string }),
      () => d.disk({ target: 'vdz', source: '../relative.img' }),
      () => d.network({ user: true, mac: 5 as unknown as string }),
      () => d.vsock({ cid: 2 }),
      () => d.vsock({ cid: '3' as unknown as number }),
      () => d.serial({ port: 32 }),
      () => d.hostdev({ pci: '0000:03:00.8' }),
    ]) {
      expect(caught(call)).toBeInstanceOf(InvalidValueError);
    }
  });
});

describe('typed getters say when a value in the document is malformed', () => {
  const malformed = `<domain type="kvm">
  <name>bad</name>
  <memory unit="furlong">1</memory>
  <currentMemory>lots</currentMemory>
  <vcpu current="two">abc</vcpu>
  <os><type>hvm</type><bootmenu enable="maybe"/></os>
  <cpu><topology sockets="1" cores="x" threads="1"/></cpu>
  <devices>
    <disk type="file" device="disk"><target dev="vda"/><boot order="first"/><address type="pci" domain="0" bus="0" slot="zz" function="0"/></disk>
    <graphics type="vnc" port="59o0" autoport="perhaps"/>
    <vsock model="virtio"><cid auto="no" address="-"/></vsock>
  </devices>
</domain>`;

  it('parses and round-trips the document unchanged', () => {
    expect(parseDomain(malformed).toXml()).toBe(`${malformed}\n`);
  });

  it('reading a malformed value throws a MalformedValueError with its path, not undefined', () => {
    const d = parseDomain(malformed);
    const error = caught(() => d.vcpus);
    expect(error).toBeInstanceOf(MalformedValueError);
    expect(error).toMatchObject({ code: 'MALFORMED_VALUE', path: 'vcpu', value: 'abc' });
    expect((error as Error).message).toBe(
      'vcpu: malformed value "abc" in the document: expected an integer',
    );
    expect(() => d.memory).toThrow(/^memory\.unit: malformed value "furlong"/);
    expect(() => d.devices.disks[0]?.address?.value).toThrow(
      /^devices\.disks\[0\]\.address\.slot: malformed value "zz"/,
    );
    // Values that are fine still read, absent ones are still undefined.
    expect(d.name).toBe('bad');
    expect(d.maxMemory).toBeUndefined();
    expect(d.devices.disks[0]?.target).toBe('vda');
  });

  it('problems() lists every malformed value with its path, without throwing or changing anything', () => {
    const d = parseDomain(malformed);
    const problems = d.problems();
    expect(problems.map((p) => `${p.path}=${p.value}`).sort()).toEqual(
      [
        'currentMemory=lots',
        'memory.unit=furlong',
        'vcpu=abc',
        'vcpu.current=two',
        'os.bootmenu=maybe',
        'cpu.topology.cores=x',
        'devices.disks[0].bootOrder=first',
        'devices.disks[0].address.slot=zz',
        'devices.graphics[0].port=59o0',
        'devices.graphics[0].autoport=perhaps',
        'devices.vsock[0].cid=-',
      ].sort(),
    );
    expect(problems.find((p) => p.path === 'vcpu')?.expected).toBe('an integer');
    expect(d.toXml()).toBe(`${malformed}\n`);
  });

  it('documents the builders make have no problems', () => {
    for (const [name, build] of Object.entries(BUILT_DOCUMENTS)) {
      expect({ name, problems: build().problems() }).toEqual({ name, problems: [] });
    }
  });

  it('numbers past what a double holds exactly are malformed, not rounded', () => {
    const d = parseDomain(
      '<domain><name>n</name><vcpu>99999999999999999999</vcpu><memory>1e3</memory></domain>',
    );
    expect(() => d.vcpus).toThrow(MalformedValueError);
    expect(() => d.memory).toThrow(/^memory: malformed value "1e3".*non-negative integer/);
    expect(d.problems()).toHaveLength(2);
  });
});
