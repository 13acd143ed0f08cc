import { homedir } from 'node:os';
import { join } from 'node:path';
import { type DiskInput, type Domain, domain, el } from '@multiverse-os/libvirt-xml';
import type { ResolvedFormula } from '../compose/resolved.js';
import { autoVsockCid } from '../network/mac.js';
import { sizeInMiB } from '../schema/units.js';
import {
  cpuModel,
  ovmfFiles,
  pciHostAddress,
  portalDevices,
  portalInterfaces,
  runnableBoot,
} from './portal.js';
import type { QemuArgsOptions } from './qemu.js';
import { expandHome, hostFolders } from './shares.js';

/** The same options as `toQemuArgs`: sockets, overlays and firmware go to the same places. */
export type LibvirtDomainOptions = Omit<QemuArgsOptions, 'binary'>;

/** Multiverse's own metadata in the domain: which formula and category it came from. */
export const FORMULA_XML_NAMESPACE = 'https://multiverse-os.org/xmlns/formula/v1alpha1';

const DISK_PREFIX = { virtio: 'vd', sata: 'sd', scsi: 'sd' } as const;

function cpuMode(cpu: string): Parameters<Domain['withCpu']>[0] {
  if (cpu === 'host') return { mode: 'host-passthrough' };
  if (cpu === 'max') return { mode: 'maximum' };
  return { mode: 'custom', model: cpu };
}

function hexNumber(id: string): number {
  return Number.parseInt(id.replace(/^0x/i, ''), 16);
}

/**
 * The libvirt domain of a portal, built with `@multiverse-os/libvirt-xml`; `.toXml()` gives the
 * document. It matches `toQemuArgs`: the console and extra serials on unix sockets in
 * `runDir`, ephemeral disks as libvirt `<transient/>` disks (libvirt keeps the overlay and
 * deletes it on shutdown), 9P or virtiofs filesystems, NICs on libvirt networks named like the
 * formula's networks.
 */
export function toLibvirtDomain(formula: ResolvedFormula, options: LibvirtDomainOptions): Domain {
  const boot = runnableBoot(formula);
  const { runDir } = options;
  const home = options.home ?? homedir();
  const accelerator = options.accelerator ?? formula.resources.accelerator;
  const memoryDevices = formula.devices.flatMap((d) => (d.memory ? [d.memory] : []));
  const memory = sizeInMiB(formula.resources.memory);
  const d = domain({
    name: formula.name,
    type: accelerator === 'kvm' ? 'kvm' : 'qemu',
    memory: { value: memory, unit: 'MiB' },
    vcpus: formula.resources.cpus,
    machine: formula.resources.machine,
    ...(formula.description === undefined ? {} : { description: formula.description }),
  });
  d.withCpu(cpuMode(cpuModel(formula, accelerator, options.cpu)));
  d.withMetadata(
    FORMULA_XML_NAMESPACE,
    'mv',
    el('formula', { category: formula.category, version: formula.version, source: formula.source }),
  );
  if (memoryDevices.length > 0) {
    const hotplug = memoryDevices.reduce((sum, m) => sum + sizeInMiB(m.size), 0);
    d.setMaxMemory({ value: memory + hotplug, unit: 'MiB' }, memoryDevices.length);
    // Memory hotplug needs a NUMA topology: one cell holding all vCPUs and the boot memory.
    const last = formula.resources.cpus - 1;
    d.cpu.insert(
      el(
        'numa',
        {},
        el('cell', { id: 0, cpus: last > 0 ? `0-${last}` : '0', memory, unit: 'MiB' }),
      ),
    );
  }

  if (boot.type === 'kernel') {
    const initrd = options.initrd ?? boot.initrd;
    d.kernelBoot({
      kernel: expandHome(options.kernel ?? boot.kernel, home),
      cmdline: options.cmdline ?? boot.cmdline,
      ...(initrd === undefined ? {} : { initrd: expandHome(initrd, home) }),
    });
  } else if (boot.firmware === 'uefi') {
    const firmware = ovmfFiles(boot, options);
    d.uefi({
      loader: firmware.code,
      nvram: join(runDir, 'OVMF_VARS.fd'),
      nvramTemplate: firmware.vars,
      secure: boot.secureBoot,
    });
  }

  const counters = { vd: 0, sd: 0 };
  for (const disk of formula.disks) {
    const prefix = DISK_PREFIX[disk.bus];
    const target = `${prefix}${String.fromCharCode(97 + counters[prefix]++)}`;
    const input: DiskInput = {
      source: expandHome(disk.image, home),
      target,
      bus: disk.bus,
      format: disk.format,
      cache: disk.cache,
      readonly: disk.readonly,
      ...(boot.type === 'disk' && boot.disk === disk.name ? { boot: 1 } : {}),
    };
    d.disk(input);
    if (disk.mode === 'ephemeral')
      d.devices.children('disk').at(-1)?.children.push(el('transient'));
  }

  const { transport, server } = formula.shares;
  if (transport === 'virtiofs' || server === 'qemu') {
    for (const folder of hostFolders(formula, { home })) {
      d.filesystem({
        source: folder.source,
        target: folder.tag,
        // libvirt's virtiofs only knows passthrough; virtiofsd maps ids itself.
        accessmode: transport === 'virtiofs' ? 'passthrough' : folder.access,
        driver: transport === 'virtiofs' ? 'virtiofs' : 'path',
        readonly: folder.readonly,
      });
    }
  }

  for (const { network, mac } of portalInterfaces(formula, options.macs)) {
    d.network({
      ...(network.type === 'user' ? { user: true } : { network: network.name }),
      mac,
      model: network.model,
    });
  }

  d.serial({ type: 'unix', path: join(runDir, 'console.sock'), port: 0 });
  compileDevices(d, formula, options);
  return d;
}

function compileDevices(d: Domain, formula: ResolvedFormula, options: LibvirtDomainOptions): void {
  const { runDir } = options;
  let serialPort = 1;
  portalDevices(formula).forEach((device, index) => {
    if (device.pci) {
      d.hostdev({ pci: pciHostAddress(formula, device.pci, index, options.pciIds ?? {}) });
    } else if (device.usb) {
      d.hostdev({
        usb: { vendor: hexNumber(device.usb.vendor), product: hexNumber(device.usb.product) },
      });
    } else if (device.vsock) {
      const cid =
        options.vsockCid ??
        (device.vsock.cid === 'auto' ? autoVsockCid(formula.name) : device.vsock.cid);
      d.vsock({ cid });
    } else if (device.serial) {
      d.serial({
        type: 'unix',
        path: join(runDir, `serial-${device.serial.name}.sock`),
        port: serialPort++,
      });
    } else if (device.channel) {
      d.channel({
        type: 'unix',
        name: device.channel.name,
        path: join(runDir, `channel-${device.channel.name}.sock`),
      });
    } else if (device.rng) {
      d.rng({ backend: device.rng.source });
    } else if (device.memory) {
      d.memoryDevice({
        model: device.memory.model,
        size: { value: sizeInMiB(device.memory.size), unit: 'MiB' },
        node: 0,
      });
    } else if (device.shmem) {
      d.shmem({
        name: device.shmem.name,
        size: { value: sizeInMiB(device.shmem.size), unit: 'MiB' },
      });
    }
  });
}
