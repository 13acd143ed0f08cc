import { describe, expect, it } from 'vitest';
import { parseXml, serializeXml } from '../../src/index.js';
import {
  canonicalXml,
  requireTool,
  virshDefine,
  virtXmlValidate,
} from '../../src/testing/index.js';
import { BUILT_DOCUMENTS } from '../helpers/fixtures.js';

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
