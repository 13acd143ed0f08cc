import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ResolvedFormula } from '../compose/resolved.js';
import { FormulaCompileError } from '../errors.js';

/** Where Linux lists PCI functions, one folder per address with `vendor` and `device` files. */
export const SYSFS_PCI_DEVICES = '/sys/bus/pci/devices';

function readId(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim().replace(/^0x/, '').toLowerCase();
  } catch {
    return undefined;
  }
}

/** The host PCI addresses (`0000:01:00.0`) whose function has this `vendor:device` id. */
export function findPciAddresses(id: string, root = SYSFS_PCI_DEVICES): string[] {
  const [vendor, device] = id.toLowerCase().split(':');
  let entries: string[];
  try {
    entries = readdirSync(root);
  } catch {
    return [];
  }
  return entries
    .filter((address) => readId(join(root, address, 'vendor')) === vendor)
    .filter((address) => readId(join(root, address, 'device')) === device)
    .sort();
}

/**
 * Host addresses for the PCI devices a formula names by `vendor:device`,
 * read from sysfs: the `pciIds` option of the compilers. The compilers stay pure; this is the
 * one place that looks at the host. An id with no match, or with several, is an error: which
 * function to hand over must not be a guess.
 */
export function hostPciIds(
  formula: ResolvedFormula,
  root = SYSFS_PCI_DEVICES,
): Record<string, string> {
  const ids: Record<string, string> = {};
  for (const [index, device] of formula.devices.entries()) {
    const id = device.pci?.id;
    if (id === undefined || ids[id] !== undefined) continue;
    const found = findPciAddresses(id, root);
    if (found.length !== 1) {
      const which =
        found.length === 0
          ? 'no host PCI function'
          : `${found.length} host PCI functions (${found.join(', ')})`;
      throw new FormulaCompileError(
        formula.source,
        `devices[${index}].pci.id: ${which} with id ${id}; give the address instead`,
      );
    }
    ids[id] = found[0] as string;
  }
  return ids;
}
