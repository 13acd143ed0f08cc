import type { ResolvedFormula } from '../compose/resolved.js';
import { encodeFormulaCbor } from './cbor.js';
import { toLibvirtDomain } from './libvirt.js';
import { type QemuArgsOptions, toQemuArgs } from './qemu.js';
import { toFstab } from './shares.js';
import { asCompileError } from './trial.js';

export type CompileTarget = 'libvirt' | 'qemu' | 'fstab' | 'cbor';

/**
 * Compiles to one target: domain XML for libvirt, shell lines for qemu (overlay creation, then
 * QEMU), fstab lines, or CBOR bytes. Whatever goes wrong is a `FormulaError`.
 */
export function compileFormula(
  formula: ResolvedFormula,
  target: CompileTarget,
  options: QemuArgsOptions,
): string | Uint8Array {
  try {
    return compileTo(formula, target, options);
  } catch (error) {
    throw asCompileError(formula, target, error);
  }
}

function compileTo(
  formula: ResolvedFormula,
  target: CompileTarget,
  options: QemuArgsOptions,
): string | Uint8Array {
  switch (target) {
    case 'libvirt':
      return toLibvirtDomain(formula, options).toXml();
    case 'qemu': {
      const command = toQemuArgs(formula, options);
      const lines = command.prepare.map((c) => shellLine(c.binary, c.args));
      lines.push(shellLine(command.binary, command.args));
      return `${lines.join('\n')}\n`;
    }
    case 'fstab':
      return toFstab(formula, options.home === undefined ? {} : { home: options.home });
    case 'cbor':
      return encodeFormulaCbor(formula);
  }
}

function quote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** One shell command line, each word quoted when it needs to be. */
export function shellLine(binary: string, args: readonly string[]): string {
  return [binary, ...args].map(quote).join(' ');
}
