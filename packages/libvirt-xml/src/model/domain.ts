import { checkAbsolutePath } from '../checks.js';
import { InvalidValueError } from '../errors.js';
import type { SizeInput } from '../units.js';
import type { ParseXmlOptions } from '../xml/parse.js';
import { cloneElement, type XmlElement, type XmlNode } from '../xml/tree.js';
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
  type MemoryDeviceInput,
  memoryDeviceElement,
  type ShmemInput,
  shmemElement,
} from './devices/memory.js';
import {
  type ControllerInput,
  controllerElement,
  type GraphicsInput,
  graphicsElement,
  type InputDeviceInput,
  inputElement,
  iommuElement,
  memballoonElement,
  panicElement,
  redirdevElement,
  rngElement,
  smartcardElement,
  soundElement,
  type TpmInput,
  tpmElement,
  videoElement,
  watchdogElement,
} from './devices/others.js';
import { checkNewDevice } from './devices/rules.js';
import { type VsockInput, vsockElement } from './devices/vsock.js';
import { newDocument, parseRoot } from './document.js';
import { DomainConfig } from './domain-config.js';
import { attrOf, el } from './view.js';

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

/**
 * A libvirt domain with chainable builder methods. `domain({...})` starts a new one,
 * `parseDomain(xml)` wraps an existing document; both give the same class, so parsed domains
 * can be extended the same way. Every method checks its input and names the bad field.
 */
export class Domain extends DomainConfig {
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
    this.addDevice('filesystem', 'filesystems', (p) => filesystemElement(input, p));
    if (input.driver === 'virtiofs' && !this.memoryBacking.present) this.withSharedMemory();
    return this;
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
  /**
   * A pty serial port (on the lowest free port) plus the `<console>` bound to it: what
   * `virsh console` attaches to. libvirt allows one serial console, and only as the first console.
   */
  serialConsole(): this {
    const used = new Set(this.devices.serials.map((s) => s.targetPort));
    let port = 0;
    while (used.has(String(port))) port++;
    const consolePath = `devices.consoles[${this.devices.children('console').length}]`;
    // Checked before the serial port goes in, so a refused console leaves the domain unchanged.
    checkNewDevice(this.devices.element, consoleElement('pty', port), consolePath);
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
  /** The memory balloon; libvirt takes one (remove a parsed one first to replace it). */
  memballoon(input: Parameters<typeof memballoonElement>[0] = {}): this {
    return this.addDevice('memballoon', 'memballoon', (p) => memballoonElement(input, p));
  }
  panic(input: Parameters<typeof panicElement>[0] = {}): this {
    return this.addDevice('panic', 'panics', (p) => panicElement(input, p));
  }
  /** The virtio vsock device; `cid` must be >= 3 or `'auto'`. libvirt takes one per domain. */
  vsock(input: VsockInput): this {
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
    this.addDevice('iommu', 'iommu', (p) => iommuElement(input, p));
    if (input.intremap) {
      const features = this.features;
      features.removeChildren('ioapic');
      features.insert(el('ioapic', { driver: 'qemu' }));
    }
    return this;
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
        boot.kind === 'element' ? Number(attrOf(boot, 'order')) : undefined,
        'libvirt refuses per-device boot order together with <os><boot> (bootOrder())',
      );
    }
    checkNewDevice(devices.element, element, path);
    devices.insert(element);
    return this;
  }
}

/** Starts a new domain: name, memory, vCPUs, `hvm` on x86_64/q35, ACPI and APIC. */
/** A deep copy, for templates: changing the copy leaves the original alone. */
export function cloneDomain(source: Domain): Domain {
  const doc = source.document;
  const copy = (n: XmlNode): XmlNode => (n.kind === 'element' ? cloneElement(n) : { ...n });
  return new Domain({
    prolog: doc.prolog.map(copy),
    root: cloneElement(doc.root),
    epilog: doc.epilog.map(copy),
  });
}

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

export type { CpuOptions, KernelBootOptions, UefiOptions } from './domain-config.js';
export type { DeviceAddress };
