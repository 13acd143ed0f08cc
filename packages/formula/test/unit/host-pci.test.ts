import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  FormulaCompileError,
  findPciAddresses,
  hostPciIds,
  resolveFormulaText,
  toQemuArgs,
} from '../../src/index.js';

// A sysfs-shaped folder: what /sys/bus/pci/devices holds, for the functions we pretend to have.
const root = mkdtempSync(join(tmpdir(), 'mv-formula-sysfs-'));
for (const [address, vendor, device] of [
  ['0000:00:02.0', '0x8086', '0x46a6'],
  ['0000:01:00.0', '0x10de', '0x1b80'],
  ['0000:01:00.1', '0x10de', '0x10f0'],
  ['0000:02:00.0', '0x8086', '0x2723'],
  ['0000:03:00.0', '0x8086', '0x2723'],
]) {
  mkdirSync(join(root, address as string));
  writeFileSync(join(root, address as string, 'vendor'), `${vendor}\n`);
  writeFileSync(join(root, address as string, 'device'), `${device}\n`);
}
afterAll(() => rmSync(root, { recursive: true, force: true }));

const formula = (ids: string[]) =>
  resolveFormulaText(
    `apiVersion: multiverse-os.org/formula/v1alpha1\nkind: Portal\nname: gpu\ncategory: application/gpu\nboot: { type: kernel, kernel: /k }\ndevices:\n${ids.map((id) => `  - pci: { id: "${id}" }`).join('\n')}\n`,
    'gpu.yaml',
  );

describe('host PCI ids', () => {
  it('finds functions by vendor:device', () => {
    expect(findPciAddresses('10DE:1B80', root)).toEqual(['0000:01:00.0']);
    expect(findPciAddresses('8086:2723', root)).toEqual(['0000:02:00.0', '0000:03:00.0']);
    expect(findPciAddresses('1234:5678', root)).toEqual([]);
    expect(findPciAddresses('10de:1b80', join(root, 'missing'))).toEqual([]);
  });

  it("maps a formula's ids for the compilers", () => {
    const gpu = formula(['10de:1b80', '10de:10f0']);
    const pciIds = hostPciIds(gpu, root);
    expect(pciIds).toEqual({ '10de:1b80': '0000:01:00.0', '10de:10f0': '0000:01:00.1' });
    expect(toQemuArgs(gpu, { runDir: '/r', pciIds }).args).toContain(
      'vfio-pci,id=dev1,host=0000:01:00.1,rombar=1',
    );
  });

  it('refuses an id the host lacks or has twice', () => {
    expect(() => hostPciIds(formula(['1234:5678']), root)).toThrow(FormulaCompileError);
    expect(() => hostPciIds(formula(['8086:2723']), root)).toThrow(/2 host PCI functions/);
  });
});
