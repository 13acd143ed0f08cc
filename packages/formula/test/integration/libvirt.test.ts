import { requireTool, virshDefine, virtXmlValidate } from '@multiverse-os/libvirt-xml/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  allocateMacs,
  resolveFormulaFile,
  resolveFormulaText,
  toLibvirtDomain,
} from '../../src/index.js';
import { catalogFiles } from '../helpers/catalog.js';

// libvirt's own RNG schemas (virt-xml-validate) and its domain parser (virsh on the test
// driver, no daemon) judge the XML: Debian packages libvirt-clients and libxml2-utils.
beforeAll(() => {
  requireTool('virt-xml-validate', 'libvirt-clients');
  requireTool('virsh', 'libvirt-clients');
});

const portals = catalogFiles()
  .map((file) => resolveFormulaFile(file))
  .filter((formula) => !formula.abstract);
const macs = allocateMacs(portals);

describe('toLibvirtDomain on the catalog', () => {
  for (const formula of portals) {
    it(`${formula.category} validates and defines`, async () => {
      const xml = toLibvirtDomain(formula, {
        runDir: `/run/multiverse/${formula.name}`,
        macs,
        home: '/home/user',
      }).toXml();
      await virtXmlValidate(xml, 'domain');
      const defined = await virshDefine(xml, 'domain');
      expect(defined).toContain(`<name>${formula.name}</name>`);
      for (const network of formula.networks) {
        expect(defined).toContain(
          `<mac address='${macs.get(`${formula.name}/${network.name}`)}'/>`,
        );
      }
    });
  }
});

describe('toLibvirtDomain with UEFI Secure Boot', () => {
  it('validates and defines with the secure loader and SMM', async () => {
    const formula = resolveFormulaText(
      `apiVersion: multiverse-os.org/formula/v1alpha1
kind: Portal
name: secure
category: service/test
boot: { type: disk, disk: root, secureBoot: true }
disks: [{ name: root, image: /img/root.qcow2 }]
`,
      '/formulas/secure.yaml',
    );
    const xml = toLibvirtDomain(formula, { runDir: '/run/secure' }).toXml();
    await virtXmlValidate(xml, 'domain');
    const defined = await virshDefine(xml, 'domain');
    expect(defined).toContain(
      "<loader readonly='yes' secure='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE_4M.secboot.fd</loader>",
    );
    expect(defined).toContain('<smm ');
  });
});

describe('toLibvirtDomain on every device kind', () => {
  it('validates and defines, and libvirt keeps each device', async () => {
    const formula = resolveFormulaText(
      `apiVersion: multiverse-os.org/formula/v1alpha1
kind: Portal
name: everything
category: application/test
resources: { cpus: 2, memory: 1GiB, accelerator: tcg, cpu: max }
boot: { type: disk, disk: root, firmware: bios }
disks:
  - { name: root, image: /img/root.qcow2 }
  - { name: data, image: /img/data.raw, format: raw, mode: persistent, bus: scsi, readonly: true }
  - { name: scratch, image: /img/scratch.qcow2, mode: persistent, bus: sata, cache: unsafe }
shares:
  folders:
    - { name: music, source: /home/u/Music, readonly: true, access: passthrough }
networks:
  - { name: star0 }
  - { name: user, type: user, model: e1000 }
devices:
  - pci: { address: "0000:03:00.0" }
  - usb: { vendor: "2c97", product: "0001" }
  - vsock: { cid: 42 }
  - serial: { name: debug }
  - channel: { name: org.test.0 }
  - rng: {}
  - memory: { size: 512MiB }
  - shmem: { name: fb, size: 16MiB }
`,
      '/formulas/everything.yaml',
    );
    const xml = toLibvirtDomain(formula, { runDir: '/run/everything' }).toXml();
    await virtXmlValidate(xml, 'domain');
    const defined = await virshDefine(xml, 'domain');
    for (const fragment of [
      "<domain type='qemu'>",
      '<transient/>',
      "<boot order='1'/>",
      "<cid auto='no' address='42'/>",
      "<vendor id='0x2c97'/>",
      "<shmem name='fb'>",
      "<memory model='dimm'>",
      "<target dir='music'/>",
      "<source mode='bind' path='/run/everything/serial-debug.sock'/>",
      "<target type='virtio' name='org.test.0'",
    ]) {
      expect(defined).toContain(fragment);
    }
  });
});
