import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ResolvedFormula } from '../compose/resolved.js';
import { autoVsockCid } from '../network/mac.js';
import type { Device } from '../schema/devices.js';
import type { Disk, Network, Shares } from '../schema/formula.js';
import { sizeInMiB } from '../schema/units.js';
import {
  cpuModel,
  ovmfFiles,
  pciHostAddress,
  portalDevices,
  portalInterfaces,
  runnableBoot,
} from './portal.js';
import { expandHome, type HostFolder, hostFolders } from './shares.js';

/** What the plan needs besides the formula: host state and the caller's overrides. */
export interface PortalPlanOptions {
  /** Folder for the QMP and console sockets and disk overlays. */
  runDir: string;
  /** Replace the formula's kernel boot files: the host's tiny guest, a freshly built kernel. */
  kernel?: string;
  initrd?: string;
  cmdline?: string;
  /** Override the formula's accelerator and CPU model (CI has no KVM: `tcg` and `max`). */
  accelerator?: 'kvm' | 'tcg';
  cpu?: string;
  /** MACs of a whole set of portals, from `allocateMacs`; default: this portal alone. */
  macs?: ReadonlyMap<string, string>;
  /** Host PCI addresses of PCI devices given by `vendor:device`. */
  pciIds?: Readonly<Record<string, string>>;
  vsockCid?: number;
  /** Used for `~` in share paths and the default portal share. */
  home?: string;
  /** UEFI firmware for `firmware: uefi`; default Debian's OVMF. */
  ovmfCode?: string;
  ovmfVars?: string;
}

/** How the portal boots, with every path expanded. */
export type PlannedBoot =
  | { type: 'kernel'; kernel: string; initrd?: string; cmdline: string }
  /** UEFI: `vars` is the portal's own copy of `varsTemplate`, in the run folder. */
  | { type: 'uefi'; code: string; varsTemplate: string; vars: string; secureBoot: boolean }
  | { type: 'bios' };

export interface PlannedDisk {
  name: string;
  /** The image on the host, `~` expanded. */
  image: string;
  /** The guest device name libvirt gives it (`vda`, `sdb`...): per prefix, in formula order. */
  target: string;
  bus: Disk['bus'];
  format: Disk['format'];
  cache: Disk['cache'];
  readonly: boolean;
  /** The disk the firmware boots from. */
  boot: boolean;
  /** Ephemeral disks: writes go to `overlay` (QEMU) or a libvirt transient overlay, then vanish. */
  ephemeral?: { overlay: string; sizeMiB?: number };
}

export interface PlannedNic {
  network: string;
  type: Network['type'];
  model: Network['model'];
  mac: string;
}

/** A unix socket the hypervisor listens on, by what it is for. */
export interface PlannedSocket {
  name: string;
  path: string;
}

/**
 * One device of `devices:` (or implied by the agent), resolved. `index` is its place in the
 * device list: QEMU device ids are made from it.
 */
export type PlannedDevice = { index: number } & (
  | { kind: 'pci'; host: string; rom: boolean }
  /** Vendor and product ids as lowercase hex without `0x`. */
  | { kind: 'usb'; vendor: string; product: string }
  | { kind: 'vsock'; cid: number }
  /** `port` is the guest serial port: 0 is the console, extra serials count from 1. */
  | { kind: 'serial'; name: string; path: string; port: number }
  | { kind: 'channel'; name: string; path: string }
  | { kind: 'rng'; source: NonNullable<Device['rng']>['source'] }
  | { kind: 'memory'; model: 'dimm' | 'virtio-mem'; sizeMiB: number }
  | { kind: 'shmem'; name: string; sizeMiB: number }
);

/**
 * Everything about a portal that the libvirt and QEMU renderers both need, worked out once:
 * the two renderers take only this, so the two targets cannot disagree on a MAC, a disk
 * target, a share tag or a socket path.
 */
export interface PortalPlan {
  name: string;
  description?: string;
  /** Where the portal came from, for the domain's metadata. */
  origin: { category: string; version?: string; source: string };
  accelerator: 'kvm' | 'tcg';
  /** The CPU model to run (`host` is `max` under TCG). */
  cpu: string;
  machine: string;
  /** Boot memory, in MiB. */
  memoryMiB: number;
  vcpus: number;
  boot: PlannedBoot;
  disks: PlannedDisk[];
  shares: {
    transport: Shares['transport'];
    /**
     * How the folders reach the guest: a virtiofs device, QEMU's own 9P device, or none (the
     * Multiverse 9P server over TCP, outside the hypervisor).
     */
    device: 'virtiofs' | 'virtio-9p' | 'none';
    folders: HostFolder[];
    /** With virtiofs, the virtiofsd socket of each folder, in the same order; else empty. */
    virtiofsSockets: string[];
  };
  nics: PlannedNic[];
  qmpSocket: string;
  /** The serial console (port 0). */
  consoleSocket: string;
  devices: PlannedDevice[];
  /** The vsock context id, when the portal has a vsock device. */
  vsockCid?: number;
}

const DISK_PREFIX = { virtio: 'vd', sata: 'sd', scsi: 'sd' } as const;

/** A USB id as lowercase hex without `0x`. */
function usbId(id: string): string {
  return id.replace(/^0x/i, '').toLowerCase();
}

function planBoot(formula: ResolvedFormula, options: PortalPlanOptions, home: string): PlannedBoot {
  const boot = runnableBoot(formula);
  if (boot.type === 'kernel') {
    const initrd = options.initrd ?? boot.initrd;
    return {
      type: 'kernel',
      kernel: expandHome(options.kernel ?? boot.kernel, home),
      ...(initrd === undefined ? {} : { initrd: expandHome(initrd, home) }),
      cmdline: options.cmdline ?? boot.cmdline,
    };
  }
  if (boot.firmware !== 'uefi') return { type: 'bios' };
  const firmware = ovmfFiles(boot, options);
  return {
    type: 'uefi',
    code: firmware.code,
    varsTemplate: firmware.vars,
    vars: join(options.runDir, 'OVMF_VARS.fd'),
    secureBoot: boot.secureBoot,
  };
}

function planDisks(formula: ResolvedFormula, runDir: string, home: string): PlannedDisk[] {
  const boot = formula.boot;
  const counters = { vd: 0, sd: 0 };
  return formula.disks.map((disk) => {
    const prefix = DISK_PREFIX[disk.bus];
    const target = `${prefix}${String.fromCharCode(97 + counters[prefix]++)}`;
    return {
      name: disk.name,
      image: expandHome(disk.image, home),
      target,
      bus: disk.bus,
      format: disk.format,
      cache: disk.cache,
      readonly: disk.readonly,
      boot: boot?.type === 'disk' && boot.disk === disk.name,
      ...(disk.mode === 'ephemeral'
        ? {
            ephemeral: {
              overlay: join(runDir, `${disk.name}.overlay.qcow2`),
              ...(disk.size === undefined ? {} : { sizeMiB: sizeInMiB(disk.size) }),
            },
          }
        : {}),
    };
  });
}

function planDevices(formula: ResolvedFormula, options: PortalPlanOptions): PlannedDevice[] {
  const { runDir } = options;
  const pciIds = options.pciIds ?? {};
  let serialPort = 1;
  return portalDevices(formula).flatMap((device, index): PlannedDevice[] => {
    if (device.pci) {
      const host = pciHostAddress(formula, device.pci, index, pciIds);
      return [{ index, kind: 'pci', host, rom: device.pci.rom }];
    }
    if (device.usb) {
      const { vendor, product } = device.usb;
      return [{ index, kind: 'usb', vendor: usbId(vendor), product: usbId(product) }];
    }
    if (device.vsock) {
      const cid =
        options.vsockCid ??
        (device.vsock.cid === 'auto' ? autoVsockCid(formula.name) : device.vsock.cid);
      return [{ index, kind: 'vsock', cid }];
    }
    if (device.serial) {
      const { name } = device.serial;
      const path = join(runDir, `serial-${name}.sock`);
      return [{ index, kind: 'serial', name, path, port: serialPort++ }];
    }
    if (device.channel) {
      const { name } = device.channel;
      return [{ index, kind: 'channel', name, path: join(runDir, `channel-${name}.sock`) }];
    }
    if (device.rng) return [{ index, kind: 'rng', source: device.rng.source }];
    if (device.memory) {
      const { model, size } = device.memory;
      return [{ index, kind: 'memory', model, sizeMiB: sizeInMiB(size) }];
    }
    if (device.shmem) {
      const { name, size } = device.shmem;
      return [{ index, kind: 'shmem', name, sizeMiB: sizeInMiB(size) }];
    }
    return [];
  });
}

/**
 * The portal as both targets run it: resources, boot files, disks with their targets, NICs
 * with their MACs, shares with their tags, sockets and devices. Pure: nothing is started,
 * created or read. Throws `FormulaCompileError` for a formula that cannot run (abstract, no
 * boot, a PCI id with no host address, a network with no MAC in `macs`).
 */
export function planPortal(formula: ResolvedFormula, options: PortalPlanOptions): PortalPlan {
  const { runDir } = options;
  const home = options.home ?? homedir();
  const { resources } = formula;
  const accelerator = options.accelerator ?? resources.accelerator;
  const boot = planBoot(formula, options, home);
  const nics = portalInterfaces(formula, options.macs).map(({ network, mac }) => ({
    network: network.name,
    type: network.type,
    model: network.model,
    mac,
  }));
  const devices = planDevices(formula, options);
  const { transport, server } = formula.shares;
  const folders = hostFolders(formula, { home });
  const vsock = devices.filter((d) => d.kind === 'vsock').at(-1);
  return {
    name: formula.name,
    ...(formula.description === undefined ? {} : { description: formula.description }),
    origin: {
      category: formula.category,
      ...(formula.version === undefined ? {} : { version: formula.version }),
      source: formula.source,
    },
    accelerator,
    cpu: cpuModel(formula, accelerator, options.cpu),
    machine: resources.machine,
    memoryMiB: sizeInMiB(resources.memory),
    vcpus: resources.cpus,
    boot,
    disks: planDisks(formula, runDir, home),
    shares: {
      transport,
      device: transport === 'virtiofs' ? 'virtiofs' : server === 'qemu' ? 'virtio-9p' : 'none',
      folders,
      virtiofsSockets:
        transport === 'virtiofs'
          ? folders.map((folder) => join(runDir, `virtiofs-${folder.tag}.sock`))
          : [],
    },
    nics,
    qmpSocket: join(runDir, 'qmp.sock'),
    consoleSocket: join(runDir, 'console.sock'),
    devices,
    ...(vsock === undefined ? {} : { vsockCid: vsock.cid }),
  };
}
