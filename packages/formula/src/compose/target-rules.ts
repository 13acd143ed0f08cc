import { AGENT_CHANNEL } from '../compile/portal.js';
import type { FormulaDocument } from '../schema/formula.js';

/** One problem a rule found: where in the formula, and what. */
export interface RuleProblem {
  path: PropertyKey[];
  message: string;
  expected?: string;
}

/** Disks per target prefix: `vda`..`vdz` and `sda`..`sdz` (SATA and SCSI share `sd`). */
export const MAX_DISKS_PER_PREFIX = 26;
/** SATA ports the compilers use: q35's AHCI has six, pc's IDE two buses. */
export const SATA_PORTS = { q35: 6, pc: 2 } as const;
/** ISA serial ports QEMU has (COM1..COM4); the console takes the first. */
export const MAX_SERIAL_DEVICES = 3;
/** Memory hotplug slots QEMU allows. */
export const MAX_MEMORY_DEVICES = 256;
/** Linux interface names (a bridge's) are at most 15 bytes. */
export const MAX_BRIDGE_NAME = 15;
/** Longest mount tag: QEMU's 9P device refuses past 31 bytes, virtiofs past 36. */
export const MAX_TAG_BYTES = { '9p': 31, virtiofs: 36 } as const;

// What XML 1.0 cannot carry even escaped, plus lone UTF-16 surrogates (no UTF-8 for them).
const NON_XML_TEXT =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Every string of `value` (keys too) holding a character no compiled document can carry. */
function unrepresentableText(value: unknown, path: PropertyKey[], out: RuleProblem[]): void {
  if (typeof value === 'string') {
    if (NON_XML_TEXT.test(value)) {
      out.push({
        path,
        message: 'holds a control character or lone surrogate that XML cannot carry',
        expected: 'printable text',
      });
    }
  } else if (Array.isArray(value)) {
    value.forEach((item, index) => {
      unrepresentableText(item, [...path, index], out);
    });
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      if (NON_XML_TEXT.test(key)) {
        out.push({ path: [...path, key], message: 'the key holds a character XML cannot carry' });
      }
      unrepresentableText(item, [...path, key], out);
    }
  }
}

/** `~` and `~/x` are the host user's home; `~bob/x` would be a guess about another user. */
function homeForm(path: string | undefined): boolean {
  return path === undefined || !path.startsWith('~') || /^~(\/|$)/.test(path);
}

/**
 * What QEMU or libvirt refuse in a formula that the per-field schema accepts: more devices
 * than the machine has ports for, names the compilers turn into ids or sockets written twice,
 * text no XML can hold. Both compilers depend on these holding, so `resolveFormula*` checks
 * them and anything that resolves compiles (but for host state such as a PCI id lookup).
 */
export function checkTargets(formula: FormulaDocument): RuleProblem[] {
  const out: RuleProblem[] = [];
  unrepresentableText(formula, [], out);

  const machine = formula.resources.machine;
  const counts = { vd: 0, sd: 0, sata: 0 };
  formula.disks.forEach((disk, index) => {
    const prefix = disk.bus === 'virtio' ? 'vd' : 'sd';
    if (++counts[prefix] === MAX_DISKS_PER_PREFIX + 1) {
      out.push({
        path: ['disks', index],
        message: `more than ${MAX_DISKS_PER_PREFIX} ${disk.bus === 'virtio' ? 'virtio' : 'SATA and SCSI'} disks (targets ${prefix}a..${prefix}z)`,
      });
    }
    if (disk.bus === 'sata' && ++counts.sata === SATA_PORTS[machine] + 1) {
      out.push({
        path: ['disks', index, 'bus'],
        message: `more than ${SATA_PORTS[machine]} SATA disks on machine ${machine}`,
        expected: 'bus virtio or scsi for the others',
      });
    }
    if (!homeForm(disk.image)) {
      out.push({ path: ['disks', index, 'image'], message: '"~user" paths are not expanded' });
    }
  });
  if (formula.boot?.type === 'kernel') {
    for (const key of ['kernel', 'initrd'] as const) {
      if (!homeForm(formula.boot[key])) {
        out.push({ path: ['boot', key], message: '"~user" paths are not expanded' });
      }
    }
  }

  const fixedMacs = new Map<string, number>();
  formula.networks.forEach((network, index) => {
    if (network.type === 'bridge' && Buffer.byteLength(network.name) > MAX_BRIDGE_NAME) {
      out.push({
        path: ['networks', index, 'name'],
        message: `a bridge name is at most ${MAX_BRIDGE_NAME} bytes (a Linux interface name)`,
      });
    }
    if (network.mac === 'auto') return;
    const mac = network.mac.toLowerCase();
    const first = fixedMacs.get(mac);
    if (first !== undefined) {
      out.push({
        path: ['networks', index, 'mac'],
        message: `MAC ${mac} is also fixed by networks[${first}]`,
        expected: 'a unique MAC',
      });
    } else fixedMacs.set(mac, index);
  });

  const { transport, portal, folders } = formula.shares;
  const maxTag = MAX_TAG_BYTES[transport];
  if (portal.enabled && Buffer.byteLength(portal.tag) > maxTag) {
    out.push({
      path: ['shares', 'portal', 'tag'],
      message: `a ${transport} tag is at most ${maxTag} bytes`,
    });
  }
  folders.forEach((folder, index) => {
    if (Buffer.byteLength(folder.name) > maxTag) {
      out.push({
        path: ['shares', 'folders', index, 'name'],
        message: `the name is the ${transport} tag, at most ${maxTag} bytes`,
      });
    }
    if (!homeForm(folder.source)) {
      out.push({
        path: ['shares', 'folders', index, 'source'],
        message: '"~user" paths are not expanded',
      });
    }
  });
  if (!homeForm(portal.source)) {
    out.push({ path: ['shares', 'portal', 'source'], message: '"~user" paths are not expanded' });
  }

  checkDevices(formula, out);
  return out;
}

function checkDevices(formula: FormulaDocument, out: RuleProblem[]): void {
  // One key per thing a device claims: a second claim of the same key is refused.
  const claimed = new Map<string, number>();
  const claim = (key: string, index: number, path: PropertyKey[], what: string) => {
    const first = claimed.get(key);
    if (first === undefined) claimed.set(key, index);
    else out.push({ path, message: `${what} is also used by devices[${first}]` });
  };
  if (formula.agent.enabled && formula.agent.transport === 'virtio-serial') {
    claimed.set(`channel:${AGENT_CHANNEL}`, -1);
  }
  let serials = 0;
  let memories = 0;
  formula.devices.forEach((device, index) => {
    const at = (...rest: PropertyKey[]) => ['devices', index, ...rest];
    if (device.pci?.address !== undefined) {
      const address = device.pci.address.toLowerCase();
      const full = address.length === 7 ? `0000:${address}` : address;
      claim(`pci:${full}`, index, at('pci', 'address'), `PCI function ${full}`);
    }
    if (device.pci?.id !== undefined) {
      const id = device.pci.id.toLowerCase();
      claim(`pci-id:${id}`, index, at('pci', 'id'), `PCI id ${id}`);
    }
    if (device.usb) {
      const id = `${device.usb.vendor}:${device.usb.product}`.toLowerCase().replaceAll('0x', '');
      claim(`usb:${id}`, index, at('usb'), `USB device ${id}`);
    }
    if (device.serial) {
      claim(`serial:${device.serial.name}`, index, at('serial', 'name'), 'the serial name');
      if (++serials === MAX_SERIAL_DEVICES + 1) {
        out.push({
          path: at('serial'),
          message: `more than ${MAX_SERIAL_DEVICES} serial devices (QEMU has 4 ISA serial ports, the console takes one)`,
        });
      }
    }
    if (device.channel) {
      const name = device.channel.name;
      const first = claimed.get(`channel:${name}`);
      if (first === -1) {
        out.push({
          path: at('channel', 'name'),
          message: `channel ${name} is the agent's (agent.transport: virtio-serial)`,
        });
      } else claim(`channel:${name}`, index, at('channel', 'name'), `channel ${name}`);
    }
    if (device.shmem) {
      claim(`shmem:${device.shmem.name}`, index, at('shmem', 'name'), 'the shmem name');
    }
    if (device.memory && ++memories === MAX_MEMORY_DEVICES + 1) {
      out.push({
        path: at('memory'),
        message: `more than ${MAX_MEMORY_DEVICES} memory devices (QEMU's hotplug slots)`,
      });
    }
  });
}
