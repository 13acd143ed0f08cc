import type { ResolvedFormula } from '../compose/resolved.js';
import { FormulaCompileError } from '../errors.js';
import { allocateMacs, interfaceKey } from '../network/mac.js';
import type { Device, PciDevice } from '../schema/devices.js';
import type { Boot, DiskBoot, Network } from '../schema/formula.js';

/** The name of the virtio-serial port the agent listens on when it uses virtio-serial. */
export const AGENT_CHANNEL = 'org.multiverse-os.agent.0';

/**
 * The formula's devices plus what its agent implies: a vsock device (unless one is there) for
 * the vsock transport, a virtio-serial port named `AGENT_CHANNEL` for virtio-serial.
 */
export function portalDevices(formula: ResolvedFormula): Device[] {
  const devices = [...formula.devices];
  const { agent } = formula;
  if (agent.enabled && agent.transport === 'vsock' && !devices.some((d) => d.vsock)) {
    devices.push({ vsock: { cid: 'auto' } });
  }
  if (agent.enabled && agent.transport === 'virtio-serial') {
    devices.push({ channel: { name: AGENT_CHANNEL } });
  }
  return devices;
}

/** The CPU model to run: `host` needs KVM, so under TCG it becomes `max` (all TCG emulates). */
export function cpuModel(
  formula: ResolvedFormula,
  accelerator: 'kvm' | 'tcg',
  override?: string,
): string {
  const { cpu } = formula.resources;
  return override ?? (accelerator === 'tcg' && cpu === 'host' ? 'max' : cpu);
}

/** The full host address (`0000:01:00.0`) of a PCI device, given or looked up by id. */
export function pciHostAddress(
  formula: ResolvedFormula,
  device: PciDevice,
  index: number,
  pciIds: Readonly<Record<string, string>>,
): string {
  const address = device.address ?? pciIds[device.id ?? ''];
  if (address === undefined) {
    throw new FormulaCompileError(
      formula.source,
      `devices[${index}].pci.id ${device.id}: no host address given for it (pciIds option, or hostPciIds())`,
    );
  }
  return (address.length === 7 ? `0000:${address}` : address).toLowerCase();
}

/** The boot of a formula that can run; an abstract base (or one without boot) cannot. */
export function runnableBoot(formula: ResolvedFormula): Boot {
  if (formula.abstract) {
    throw new FormulaCompileError(formula.source, 'an abstract formula is a base, not a portal');
  }
  if (formula.boot === undefined) throw new FormulaCompileError(formula.source, 'no boot section');
  return formula.boot;
}

/**
 * Each network of the portal with its MAC, from `macs` (an allocation over a whole set of
 * portals) or, without one, from an allocation over this portal alone.
 */
export function portalInterfaces(
  formula: ResolvedFormula,
  macs: ReadonlyMap<string, string> = allocateMacs([formula]),
): { network: Network; mac: string }[] {
  return formula.networks.map((network) => {
    const mac = macs.get(interfaceKey(formula.name, network.name));
    if (mac === undefined) {
      throw new FormulaCompileError(formula.source, `no MAC allocated for network ${network.name}`);
    }
    return { network, mac };
  });
}

/**
 * UEFI firmware files: Debian's OVMF (the `ovmf` package), with Secure Boot the `secboot` code
 * and variables with Microsoft's keys enrolled. Options override both.
 */
export function ovmfFiles(
  boot: DiskBoot,
  options: { ovmfCode?: string; ovmfVars?: string },
): { code: string; vars: string } {
  const dir = '/usr/share/OVMF';
  return {
    code:
      options.ovmfCode ??
      `${dir}/${boot.secureBoot ? 'OVMF_CODE_4M.secboot.fd' : 'OVMF_CODE_4M.fd'}`,
    vars:
      options.ovmfVars ?? `${dir}/${boot.secureBoot ? 'OVMF_VARS_4M.ms.fd' : 'OVMF_VARS_4M.fd'}`,
  };
}
