import { homedir } from 'node:os';
import type { ResolvedFormula } from '../compose/resolved.js';
import { FormulaCompileError, FormulaError } from '../errors.js';
import { allocateMacs, flattenPortals } from '../network/mac.js';
import { toLibvirtDomain } from './libvirt.js';
import { type QemuArgsOptions, toQemuArgs } from './qemu.js';

/**
 * A compiler's own failure as a `FormulaCompileError` naming the formula file and the target;
 * `FormulaError`s pass as they are. A compiler that throws anything else on a resolved formula
 * is missing a rule in `checkTargets`, and this keeps it a typed error rather than a crash.
 */
export function asCompileError(
  formula: ResolvedFormula,
  target: string,
  error: unknown,
): FormulaError {
  if (error instanceof FormulaError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new FormulaCompileError(formula.source, `cannot compile to ${target}: ${message}`);
}

/** Stand-in host addresses for PCI devices given by id: distinct, so none clash. */
function standInPciIds(formula: ResolvedFormula): Record<string, string> {
  const ids: Record<string, string> = {};
  let next = 0;
  for (const device of formula.devices) {
    const id = device.pci?.id;
    if (id === undefined || ids[id] !== undefined) continue;
    const n = next++;
    const hex = (value: number) => value.toString(16).padStart(2, '0');
    ids[id] = `0000:${hex(0xf0 + (n >> 8))}:${hex((n >> 3) & 0x1f)}.${n & 7}`;
  }
  return ids;
}

/**
 * Compiles a portal and each of its children to libvirt XML and to a QEMU command, with
 * stand-in host state (run folder, PCI addresses looked up by id), and throws what either
 * compiler throws, as a `FormulaError`. The formula resolvers run it, so a formula that
 * resolves compiles to both targets; only host state (a PCI id with no match) can still fail.
 */
export function checkCompiles(formula: ResolvedFormula): void {
  const portals = flattenPortals([formula]);
  // MACs over the whole set: two portals fixing one MAC is a MacCollisionError here.
  const macs = allocateMacs(portals);
  for (const portal of portals) {
    if (portal.abstract) continue;
    const options: QemuArgsOptions = {
      runDir: `/run/multiverse/${portal.name}`,
      pciIds: standInPciIds(portal),
      macs,
      home: homedir(),
    };
    try {
      toLibvirtDomain(portal, options).toXml();
    } catch (error) {
      throw asCompileError(portal, 'libvirt', error);
    }
    try {
      toQemuArgs(portal, options);
    } catch (error) {
      throw asCompileError(portal, 'qemu', error);
    }
  }
}
