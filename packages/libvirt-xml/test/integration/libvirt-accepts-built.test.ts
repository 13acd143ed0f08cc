import { describe, expect, it } from 'vitest';
import {
  canonicalXml,
  requireTool,
  virshDefine,
  virtXmlValidate,
} from '../../src/testing/index.js';
import { parseXml, serializeXml } from '../../src/xml/index.js';
import { BUILT_DOCUMENTS, SCHEMA_ONLY_DOCUMENTS } from '../helpers/fixtures.js';

requireTool('virt-xml-validate', 'libvirt-clients');
requireTool('xmllint', 'libxml2-utils');

describe('libvirt accepts every document the builders make', () => {
  it.each(Object.entries(BUILT_DOCUMENTS))(
    '%s: virt-xml-validate, virsh define, dumpxml round trip',
    async (_name, build) => {
      const xml = build().toXml();
      await virtXmlValidate(xml);
      const dumped = await virshDefine(xml);
      expect(dumped).toMatch(/^<(domain|network|pool|volume)[\s>]/);
      const [a, b] = await Promise.all([
        canonicalXml(dumped),
        canonicalXml(serializeXml(parseXml(dumped))),
      ]);
      expect(b).toBe(a);
    },
  );
});

describe('secrets and network filters (no test-driver support: schema only)', () => {
  it.each(Object.entries(SCHEMA_ONLY_DOCUMENTS))(
    '%s: virt-xml-validate and canonical round trip',
    async (_name, build) => {
      const xml = build().toXml();
      await virtXmlValidate(xml);
      const [a, b] = await Promise.all([
        canonicalXml(xml),
        canonicalXml(serializeXml(parseXml(xml))),
      ]);
      expect(b).toBe(a);
    },
  );
});

describe('the libvirt helpers fail with libvirt’s own message', () => {
  it('virt-xml-validate', async () => {
    const bad = '<domain type="kvm"><name>x</name><memory>1</memory><bogus/></domain>';
    await expect(virtXmlValidate(bad)).rejects.toThrow(
      /virt-xml-validate: domain document does not validate[\s\S]*Relax-NG validity error/,
    );
  });

  it('virsh define', async () => {
    // Schema-valid, but libvirt's parser refuses per-device boot order next to <os><boot>.
    const bad = `<domain type="kvm"><name>x</name><memory>1024</memory>
  <os><type>hvm</type><boot dev="hd"/></os>
  <devices>
    <disk type="file" device="disk"><source file="/a.img"/><target dev="vda" bus="virtio"/><boot order="1"/></disk>
  </devices>
</domain>`;
    await virtXmlValidate(bad);
    await expect(virshDefine(bad, 'domain')).rejects.toThrow(
      /virsh define: libvirt refused the domain[\s\S]*per-device boot elements cannot be used together with os\/boot elements/,
    );
  });
});
