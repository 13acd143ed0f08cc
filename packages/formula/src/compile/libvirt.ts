import { type DiskInput, type Domain, domain, el } from '@multiverse-os/libvirt-xml';
import type { ResolvedFormula } from '../compose/resolved.js';
import { type PlannedDevice, type PortalPlan, type PortalPlanOptions, planPortal } from './plan.js';

/** The same options as `toQemuArgs`: sockets, overlays and firmware go to the same places. */
export type LibvirtDomainOptions = PortalPlanOptions;

/** Multiverse's own metadata in the domain: which formula and category it came from. */
export const FORMULA_XML_NAMESPACE = 'https://multiverse-os.org/xmlns/formula/v1alpha1';

function cpuMode(cpu: string): Parameters<Domain['withCpu']>[0] {
  if (cpu === 'host') return { mode: 'host-passthrough' };
  if (cpu === 'max') return { mode: 'maximum' };
  return { mode: 'custom', model: cpu };
}

/**
 * The libvirt domain of a portal, built with `@multiverse-os/libvirt-xml`; `.toXml()` gives the
 * document. It renders the same `PortalPlan` as `toQemuArgs`: the console and extra serials on
 * unix sockets in `runDir`, ephemeral disks as libvirt `<transient/>` disks (libvirt keeps the
 * overlay and deletes it on shutdown), 9P or virtiofs filesystems, NICs on libvirt networks
 * named like the formula's networks.
 */
export function toLibvirtDomain(formula: ResolvedFormula, options: LibvirtDomainOptions): Domain {
  return renderLibvirtDomain(planPortal(formula, options));
}

/** The libvirt domain of a portal plan (see `toLibvirtDomain`). Pure. */
export function renderLibvirtDomain(plan: PortalPlan): Domain {
  const memory = plan.memoryMiB;
  const d = domain({
    name: plan.name,
    type: plan.accelerator === 'kvm' ? 'kvm' : 'qemu',
    memory: { value: memory, unit: 'MiB' },
    vcpus: plan.vcpus,
    machine: plan.machine,
    ...(plan.description === undefined ? {} : { description: plan.description }),
  });
  d.withCpu(cpuMode(plan.cpu));
  d.withMetadata(FORMULA_XML_NAMESPACE, 'mv', el('formula', { ...plan.origin }));
  const memoryDevices = plan.devices.flatMap((device) =>
    device.kind === 'memory' ? [device.sizeMiB] : [],
  );
  if (memoryDevices.length > 0) {
    const hotplug = memoryDevices.reduce((sum, size) => sum + size, 0);
    d.setMaxMemory({ value: memory + hotplug, unit: 'MiB' }, memoryDevices.length);
    // Memory hotplug needs a NUMA topology: one cell holding all vCPUs and the boot memory.
    const last = plan.vcpus - 1;
    d.cpu.insert(
      el(
        'numa',
        {},
        el('cell', { id: 0, cpus: last > 0 ? `0-${last}` : '0', memory, unit: 'MiB' }),
      ),
    );
  }

  const { boot } = plan;
  if (boot.type === 'kernel') {
    d.kernelBoot({
      kernel: boot.kernel,
      cmdline: boot.cmdline,
      ...(boot.initrd === undefined ? {} : { initrd: boot.initrd }),
    });
  } else if (boot.type === 'uefi') {
    d.uefi({
      loader: boot.code,
      nvram: boot.vars,
      nvramTemplate: boot.varsTemplate,
      secure: boot.secureBoot,
    });
  }

  for (const disk of plan.disks) {
    const input: DiskInput = {
      source: disk.image,
      target: disk.target,
      bus: disk.bus,
      format: disk.format,
      cache: disk.cache,
      readonly: disk.readonly,
      ...(disk.boot ? { boot: 1 } : {}),
    };
    d.disk(input);
    if (disk.ephemeral !== undefined)
      d.devices.children('disk').at(-1)?.children.push(el('transient'));
  }

  const { device: shareDevice } = plan.shares;
  if (shareDevice !== 'none') {
    for (const folder of plan.shares.folders) {
      const virtiofs = shareDevice === 'virtiofs';
      d.filesystem({
        source: folder.source,
        target: folder.tag,
        // libvirt's virtiofs only knows passthrough; virtiofsd maps ids itself.
        accessmode: virtiofs ? 'passthrough' : folder.access,
        driver: virtiofs ? 'virtiofs' : 'path',
        readonly: folder.readonly,
      });
    }
  }

  for (const nic of plan.nics) {
    d.network({
      ...(nic.type === 'user' ? { user: true } : { network: nic.network }),
      mac: nic.mac,
      model: nic.model,
    });
  }

  d.serial({ type: 'unix', path: plan.consoleSocket, port: 0 });
  for (const device of plan.devices) renderDevice(d, device);
  return d;
}

function renderDevice(d: Domain, device: PlannedDevice): void {
  switch (device.kind) {
    case 'pci':
      d.hostdev({ pci: device.host });
      break;
    case 'usb':
      d.hostdev({
        usb: {
          vendor: Number.parseInt(device.vendor, 16),
          product: Number.parseInt(device.product, 16),
        },
      });
      break;
    case 'vsock':
      d.vsock({ cid: device.cid });
      break;
    case 'serial':
      d.serial({ type: 'unix', path: device.path, port: device.port });
      break;
    case 'channel':
      d.channel({ type: 'unix', name: device.name, path: device.path });
      break;
    case 'rng':
      d.rng({ backend: device.source });
      break;
    case 'memory':
      d.memoryDevice({
        model: device.model,
        size: { value: device.sizeMiB, unit: 'MiB' },
        node: 0,
      });
      break;
    case 'shmem':
      d.shmem({ name: device.name, size: { value: device.sizeMiB, unit: 'MiB' } });
      break;
  }
}
