import { checkAbsolutePath, checkEnum, checkInt } from '../checks.js';
import { InvalidValueError } from '../errors.js';
import { type SizeInput, toSize } from '../units.js';
import type { ParseXmlOptions } from '../xml/parse.js';
import type { XmlElement } from '../xml/tree.js';
import type { DeviceAddress } from './address.js';
import {
  type ChannelInput,
  channelElement,
  consoleElement,
  type SerialInput,
  serialElement,
} from './devices/character.js';
import { type DiskInput, diskElement } from './devices/disk.js';
import { type FilesystemInput, filesystemElement } from './devices/filesystem.js';
import { type HostdevInput, hostdevElement } from './devices/hostdev.js';
import { type InterfaceInput, interfaceElement } from './devices/interface.js';
import {
  type ControllerInput,
  controllerElement,
  type GraphicsInput,
  graphicsElement,
  type InputDeviceInput,
  inputElement,
  iommuElement,
  type MemoryDeviceInput,
  memballoonElement,
  memoryDeviceElement,
  panicElement,
  redirdevElement,
  rngElement,
  type ShmemInput,
  shmemElement,
  smartcardElement,
  soundElement,
  type TpmInput,
  tpmElement,
  videoElement,
  watchdogElement,
} from './devices/others.js';
import { type VsockInput, vsockElement } from './devices/vsock.js';
import { newDocument, parseRoot } from './document.js';
import { DomainModel, type LIFECYCLE_ACTIONS, QEMU_NAMESPACE } from './domain-model.js';
import type { CPU_FEATURE_POLICIES, CPU_MODES, CpuTopology } from './domain-parts.js';
import { el } from './view.js';

export interface DomainOptions {
  name: string;
  /** Guest RAM: `'2 GiB'`, `{ value: 512, unit: 'MiB' }`, or a number of KiB. */
  memory: SizeInput;
  vcpus?: number;
  /** Hypervisor type (default `kvm`). */
  type?: string;
  uuid?: string;
  title?: string;
  description?: string;
  currentMemory?: SizeInput;
  /** Guest architecture (default `x86_64`). */
  arch?: string;
  /** Machine type (default `q35`). */
  machine?: string;
  /** Simple hypervisor features (default `['acpi', 'apic']`). */
  features?: string[];
}

export interface KernelBootOptions {
  kernel: string;
  initrd?: string;
  /** Kernel command line, e.g. `console=ttyS0`. */
  cmdline?: string;
  dtb?: string;
}

export interface UefiOptions {
  /** Firmware code image, e.g. `/usr/share/OVMF/OVMF_CODE_4M.fd`. */
  loader: string;
  /** Per-guest variable store. */
  nvram?: string;
  /** Template the variable store is created from. */
  nvramTemplate?: string;
  secure?: boolean;
}

export interface CpuOptions {
  mode?: (typeof CPU_MODES)[number];
  model?: string;
  topology?: CpuTopology;
  features?: Array<{ name: string; policy?: (typeof CPU_FEATURE_POLICIES)[number] }>;
  /** Guest NUMA cells (memory devices such as DIMMs need at least one). */
  numa?: Array<{ id: number; cpus: string; memory: SizeInput }>;
}

/**
 * A libvirt domain with chainable builder methods. `domain({...})` starts a new one,
 * `parseDomain(xml)` wraps an existing document; both give the same class, so parsed domains
 * can be extended the same way. Every method checks its input and names the bad field.
 */
export class Domain extends DomainModel {
  kernelBoot(options: KernelBootOptions): this {
    const os = this.os;
    os.kernel = checkAbsolutePath('os.kernel', options.kernel);
    if (options.initrd !== undefined) os.initrd = options.initrd;
    if (options.cmdline !== undefined) os.cmdline = options.cmdline;
    if (options.dtb !== undefined) os.setChildText('dtb', checkAbsolutePath('os.dtb', options.dtb));
    return this;
  }

  /** OVMF/UEFI firmware: a read-only pflash loader plus a per-guest NVRAM file. */
  uefi(options: UefiOptions): this {
    const os = this.os;
    os.removeChildren('loader').removeChildren('nvram');
    os.insert(
      el(
        'loader',
        { readonly: 'yes', secure: options.secure, type: 'pflash' },
        checkAbsolutePath('os.loader', options.loader),
      ),
    );
    if (options.nvram !== undefined || options.nvramTemplate !== undefined) {
      os.insert(
        el(
          'nvram',
          {
            template:
              options.nvramTemplate &&
              checkAbsolutePath('os.nvram.template', options.nvramTemplate),
          },
          options.nvram && checkAbsolutePath('os.nvram', options.nvram),
        ),
      );
    }
    if (options.secure) this.withFeatures(['smm']);
    return this;
  }

  /** BIOS boot device order (`hd`, `cdrom`, `network`, `fd`). */
  bootOrder(devices: Array<'hd' | 'cdrom' | 'fd' | 'network'>): this {
    const withBoot = this.devicesWithBootOrder();
    if (withBoot.length > 0) {
      throw new InvalidValueError(
        'os.boot',
        devices,
        `libvirt refuses <os><boot> together with per-device boot order (${withBoot.join(', ')})`,
      );
    }
    this.os.boot = devices;
    return this;
  }

  withCpu(options: CpuOptions): this {
    const cpu = this.cpu;
    if (options.mode !== undefined) cpu.mode = options.mode;
    if (options.model !== undefined) cpu.model = options.model;
    if (options.topology !== undefined) cpu.topology = options.topology;
    for (const f of options.features ?? []) cpu.addFeature(f.name, f.policy);
    if (options.numa !== undefined) {
      cpu.removeChildren('numa');
      const cells = options.numa.map((cell, i) => {
        const path = `cpu.numa[${i}]`;
        const memory = toSize(cell.memory, `${path}.memory`);
        if (!/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(cell.cpus)) {
          throw new InvalidValueError(
            `${path}.cpus`,
            cell.cpus,
            "expected a CPU list like '0-3' or '0,2'",
          );
        }
        return el('cell', {
          id: checkInt(`${path}.id`, cell.id, 0, 255),
          cpus: cell.cpus,
          memory: memory.value,
          unit: memory.unit,
        });
      });
      cpu.insert(el('numa', {}, ...cells));
    }
    if (!cpu.present) cpu.setAttr('mode', 'host-model');
    return this;
  }

  /** `<pm>`: allow or forbid guest suspend to RAM and to disk. */
  withPm(options: { suspendToMem?: boolean; suspendToDisk?: boolean }): this {
    this.removeChildren('pm');
    const flag = (name: string, v: boolean | undefined) =>
      v !== undefined && el(name, { enabled: v });
    this.insert(
      el(
        'pm',
        {},
        flag('suspend-to-mem', options.suspendToMem),
        flag('suspend-to-disk', options.suspendToDisk),
      ),
    );
    return this;
  }

  /** `<keywrap>` (s390 guests): AES/DEA key wrapping on or off. */
  withKeywrap(ciphers: Array<{ name: 'aes' | 'dea'; state: boolean }>): this {
    this.removeChildren('keywrap');
    const items = ciphers.map((c, i) =>
      el('cipher', {
        name: checkEnum(`keywrap[${i}].name`, c.name, ['aes', 'dea'] as const),
        state: c.state ? 'on' : 'off',
      }),
    );
    this.insert(el('keywrap', {}, ...items));
    return this;
  }

  /** `on_poweroff`, `on_reboot`, `on_crash` actions. */
  withLifecycle(actions: {
    poweroff?: (typeof LIFECYCLE_ACTIONS)[number];
    reboot?: (typeof LIFECYCLE_ACTIONS)[number];
    crash?: (typeof LIFECYCLE_ACTIONS)[number];
  }): this {
    if (actions.poweroff !== undefined) this.onPoweroff = actions.poweroff;
    if (actions.reboot !== undefined) this.onReboot = actions.reboot;
    if (actions.crash !== undefined) this.onCrash = actions.crash;
    return this;
  }

  withFeatures(names: string[]): this {
    const features = this.features;
    for (const name of names) features.set(name);
    return this;
  }

  withClock(
    offset: 'utc' | 'localtime',
    timers: Array<{
      name: string;
      present?: boolean;
      tickpolicy?: 'delay' | 'catchup' | 'merge' | 'discard';
    }> = [],
  ): this {
    const clock = this.clock;
    clock.offset = offset;
    for (const t of timers) clock.addTimer(t.name, t);
    return this;
  }

  /** Shared memory backing, which virtiofs needs. */
  withSharedMemory(): this {
    const mb = this.memoryBacking;
    mb.removeChildren('source').removeChildren('access');
    mb.insert(el('source', { type: 'memfd' }));
    mb.insert(el('access', { mode: 'shared' }));
    return this;
  }

  /** Application metadata: `<prefix:name xmlns:prefix=namespace attrs>`. */
  withMetadata(namespace: string, prefix: string, element: XmlElement): this {
    return this.setMetadata(namespace, prefix, element);
  }

  /** Extra QEMU arguments/environment through libvirt's qemu namespace. */
  withQemuCommandline(args: string[], env: Record<string, string> = {}): this {
    this.setAttr('xmlns:qemu', QEMU_NAMESPACE);
    this.removeChildren('qemu:commandline');
    this.insert(
      el(
        'qemu:commandline',
        {},
        ...args.map((value) => el('qemu:arg', { value })),
        ...Object.entries(env).map(([name, value]) => el('qemu:env', { name, value })),
      ),
    );
    return this;
  }

  emulator(path: string): this {
    this.devices.emulator = checkAbsolutePath('devices.emulator', path);
    return this;
  }

  disk(input: DiskInput): this {
    return this.addDevice('disk', 'disks', (p) => diskElement(input, p));
  }
  /** A CD-ROM drive (SATA by default) with an optional ISO. */
  cdrom(input: { source?: string; target?: string; bus?: DiskInput['bus']; boot?: number }): this {
    const { source, target = 'sda', bus = 'sata', boot } = input;
    return this.disk({
      device: 'cdrom',
      target,
      bus,
      readonly: true,
      ...(source ? { source } : {}),
      ...(boot ? { boot } : {}),
    });
  }
  filesystem(input: FilesystemInput): this {
    if (input.driver === 'virtiofs' && !this.memoryBacking.present) this.withSharedMemory();
    return this.addDevice('filesystem', 'filesystems', (p) => filesystemElement(input, p));
  }
  network(input: InterfaceInput): this {
    return this.addDevice('interface', 'interfaces', (p) => interfaceElement(input, p));
  }
  /** Same as `network()`, named after the element. */
  interface(input: InterfaceInput): this {
    return this.network(input);
  }
  serial(input: SerialInput = {}): this {
    return this.addDevice('serial', 'serials', (p) => serialElement(input, p));
  }
  /** A pty serial port plus the `<console>` bound to it: what `virsh console` attaches to. */
  serialConsole(): this {
    const port = this.devices.serials.length;
    this.serial({ port });
    return this.addDevice('console', 'consoles', () => consoleElement('pty', port));
  }
  channel(input: ChannelInput): this {
    return this.addDevice('channel', 'channels', (p) => channelElement(input, p));
  }
  /** The QEMU guest agent channel (`org.qemu.guest_agent.0`). */
  guestAgent(): this {
    return this.channel({ type: 'unix', name: 'org.qemu.guest_agent.0' });
  }
  input(input: InputDeviceInput): this {
    return this.addDevice('input', 'inputs', (p) => inputElement(input, p));
  }
  graphics(input: GraphicsInput): this {
    return this.addDevice('graphics', 'graphics', (p) => graphicsElement(input, p));
  }
  video(input: Parameters<typeof videoElement>[0]): this {
    return this.addDevice('video', 'videos', (p) => videoElement(input, p));
  }
  sound(input: Parameters<typeof soundElement>[0]): this {
    return this.addDevice('sound', 'sounds', (p) => soundElement(input, p));
  }
  hostdev(input: HostdevInput): this {
    return this.addDevice('hostdev', 'hostdevs', (p) => hostdevElement(input, p));
  }
  redirdev(input: Parameters<typeof redirdevElement>[0] = {}): this {
    return this.addDevice('redirdev', 'redirdevs', (p) => redirdevElement(input, p));
  }
  smartcard(input: Parameters<typeof smartcardElement>[0] = {}): this {
    return this.addDevice('smartcard', 'smartcards', (p) => smartcardElement(input, p));
  }
  rng(input: Parameters<typeof rngElement>[0] = {}): this {
    return this.addDevice('rng', 'rngs', (p) => rngElement(input, p));
  }
  tpm(input: TpmInput = {}): this {
    return this.addDevice('tpm', 'tpms', (p) => tpmElement(input, p));
  }
  watchdog(input: Parameters<typeof watchdogElement>[0] = {}): this {
    return this.addDevice('watchdog', 'watchdogs', (p) => watchdogElement(input, p));
  }
  memballoon(input: Parameters<typeof memballoonElement>[0] = {}): this {
    this.devices.removeChildren('memballoon');
    return this.addDevice('memballoon', 'memballoon', (p) => memballoonElement(input, p));
  }
  panic(input: Parameters<typeof panicElement>[0] = {}): this {
    return this.addDevice('panic', 'panics', (p) => panicElement(input, p));
  }
  /** The virtio vsock device; `cid` must be >= 3 or `'auto'`. */
  vsock(input: VsockInput): this {
    this.devices.removeChildren('vsock');
    return this.addDevice('vsock', 'vsock', (p) => vsockElement(input, p));
  }
  memoryDevice(input: MemoryDeviceInput): this {
    return this.addDevice('memory', 'memories', (p) => memoryDeviceElement(input, p));
  }
  shmem(input: ShmemInput): this {
    return this.addDevice('shmem', 'shmems', (p) => shmemElement(input, p));
  }
  /** A vIOMMU; interrupt remapping also switches the features to a split I/O APIC, as libvirt requires. */
  iommu(input: Parameters<typeof iommuElement>[0] = {}): this {
    if (input.intremap) {
      const features = this.features;
      features.removeChildren('ioapic');
      features.insert(el('ioapic', { driver: 'qemu' }));
    }
    return this.addDevice('iommu', 'iommu', (p) => iommuElement(input, p));
  }
  controller(input: ControllerInput): this {
    return this.addDevice('controller', 'controllers', (p) => controllerElement(input, p));
  }

  private addDevice(name: string, key: string, build: (path: string) => XmlElement): this {
    const devices = this.devices;
    const path = `devices.${key}[${devices.children(name).length}]`;
    const element = build(path);
    const boot = element.children.find((n) => n.kind === 'element' && n.name === 'boot');
    if (boot && this.os.boot.length > 0) {
      throw new InvalidValueError(
        `${path}.boot`,
        boot.kind === 'element' ? Number(boot.attrs.order) : undefined,
        'libvirt refuses per-device boot order together with <os><boot> (bootOrder())',
      );
    }
    devices.insert(element);
    return this;
  }

  /** Paths of devices that carry `<boot order>`. */
  private devicesWithBootOrder(): string[] {
    const devices = this.child('devices');
    if (!devices) return [];
    const out: string[] = [];
    for (const node of devices.children) {
      if (
        node.kind === 'element' &&
        node.children.some((c) => c.kind === 'element' && c.name === 'boot')
      )
        out.push(node.name);
    }
    return out;
  }
}

/** Starts a new domain: name, memory, vCPUs, `hvm` on x86_64/q35, ACPI and APIC. */
export function domain(options: DomainOptions): Domain {
  const d = new Domain(newDocument('domain'));
  d.type = options.type ?? 'kvm';
  d.name = options.name;
  if (options.uuid !== undefined) d.uuid = options.uuid;
  if (options.title !== undefined) d.title = options.title;
  if (options.description !== undefined) d.description = options.description;
  d.memory = options.memory;
  if (options.currentMemory !== undefined) d.currentMemory = options.currentMemory;
  d.vcpus = options.vcpus ?? 1;
  d.os.insert(
    el('type', { arch: options.arch ?? 'x86_64', machine: options.machine ?? 'q35' }, 'hvm'),
  );
  const features = options.features ?? ['acpi', 'apic'];
  if (features.length > 0) d.withFeatures(features);
  return d;
}

export function parseDomain(xml: string, options?: ParseXmlOptions): Domain {
  return new Domain(parseRoot(xml, 'domain', options));
}

export function serializeDomain(value: Domain): string {
  return value.toXml();
}

export type { DeviceAddress };
