import { checkAbsolutePath, checkEnum, checkInt, readInt } from '../checks.js';
import { InvalidValueError } from '../errors.js';
import { readSize, type Size, type SizeInput, sizeToBytes, toSize } from '../units.js';
import type { ParseXmlOptions } from '../xml/parse.js';
import { cloneElement, createElement, type XmlElement, type XmlNode } from '../xml/tree.js';
import type { DeviceAddress } from './address.js';
import {
  type ChannelInput,
  channelElement,
  consoleElement,
  type SerialInput,
  serialElement,
} from './devices/character.js';
import { DevicesView } from './devices/devices.js';
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
import { NamedDocumentView, newDocument, parseRoot } from './document.js';
import {
  ClockView,
  type CpuOptions,
  CpuView,
  FeaturesView,
  type KernelBootOptions,
  type MemoryBackingOptions,
  MemoryBackingView,
  OsView,
  type UefiOptions,
} from './domain-parts.js';
import {
  DOMAIN_ORDER,
  DOMAIN_TYPES,
  LIFECYCLE_ACTIONS,
  MAX_MEMORY_KIB,
  QEMU_NAMESPACE,
} from './domain-schema.js';
import { attrOf, ElementView, el, setText, textOf } from './view.js';

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
 * A libvirt `<domain>` with chainable builder methods: a typed view over the parsed (or built)
 * tree. Getters read the tree, setters and builders check the value and write it; elements
 * the model does not cover stay untouched. `domain({...})` starts a new one, `parseDomain(xml)`
 * wraps an existing document; both give this class, so parsed domains can be extended the same
 * way. Every method checks its input and names the bad field. What belongs to one section
 * (`<os>`, `<cpu>`, `<memoryBacking>`, `<devices>`) is done by that section's view; this class
 * holds the domain's own fields and the rules that span sections.
 */
export class Domain extends NamedDocumentView {
  protected static override readonly childOrder: readonly string[] = DOMAIN_ORDER;

  // Fields of the domain itself, and views over its sections.

  /** Hypervisor type: `kvm`, `qemu`, `test`... */
  get type(): string | undefined {
    return this.attr('type');
  }
  set type(value: string) {
    this.setAttr('type', checkEnum('type', value, DOMAIN_TYPES));
  }
  /** Short human title (one line). */
  get title(): string | undefined {
    return this.childText('title');
  }
  set title(value: string | undefined) {
    this.setChildText('title', value);
  }
  get description(): string | undefined {
    return this.childText('description');
  }
  set description(value: string | undefined) {
    this.setChildText('description', value);
  }
  /** Maximum memory at boot. */
  get memory(): Size | undefined {
    return this.size('memory');
  }
  set memory(value: SizeInput) {
    this.setSize('memory', value);
  }
  /** Memory actually given (balloon target) at boot. */
  get currentMemory(): Size | undefined {
    return this.size('currentMemory');
  }
  set currentMemory(value: SizeInput | undefined) {
    this.setSize('currentMemory', value);
  }
  /** Hotplug ceiling; `slots` is the number of DIMM slots. */
  get maxMemory(): (Size & { slots?: number }) | undefined {
    const size = this.size('maxMemory');
    const slots = readInt('maxMemory.slots', this.childAttr('maxMemory', 'slots'));
    return size && (slots === undefined ? size : { ...size, slots });
  }
  setMaxMemory(value: SizeInput, slots: number): this {
    this.setSize('maxMemory', value);
    this.setChildAttr('maxMemory', 'slots', checkInt('maxMemory.slots', slots, 0, 255));
    return this;
  }
  get vcpus(): number | undefined {
    return readInt('vcpu', this.childText('vcpu'));
  }
  set vcpus(value: number) {
    this.setChildText('vcpu', checkInt('vcpu', value, 1, 16384));
  }
  /** vCPUs online at boot when fewer than `vcpus`. */
  get currentVcpus(): number | undefined {
    return readInt('vcpu.current', this.childAttr('vcpu', 'current'));
  }
  get onPoweroff(): string | undefined {
    return this.childText('on_poweroff');
  }
  set onPoweroff(value: (typeof LIFECYCLE_ACTIONS)[number] | undefined) {
    this.setChildText('on_poweroff', value && checkEnum('on_poweroff', value, LIFECYCLE_ACTIONS));
  }
  get onReboot(): string | undefined {
    return this.childText('on_reboot');
  }
  set onReboot(value: (typeof LIFECYCLE_ACTIONS)[number] | undefined) {
    this.setChildText('on_reboot', value && checkEnum('on_reboot', value, LIFECYCLE_ACTIONS));
  }
  get onCrash(): string | undefined {
    return this.childText('on_crash');
  }
  set onCrash(value: (typeof LIFECYCLE_ACTIONS)[number] | undefined) {
    this.setChildText('on_crash', value && checkEnum('on_crash', value, LIFECYCLE_ACTIONS));
  }
  get os(): OsView {
    return this.section('os', OsView);
  }
  get cpu(): CpuView {
    return this.section('cpu', CpuView);
  }
  get features(): FeaturesView {
    return this.section('features', FeaturesView);
  }
  get clock(): ClockView {
    return this.section('clock', ClockView);
  }
  get memoryBacking(): MemoryBackingView {
    return this.section('memoryBacking', MemoryBackingView);
  }
  get devices(): DevicesView {
    return this.section('devices', DevicesView);
  }
  /** `<pm>`: whether the guest may suspend to RAM / disk. */
  get pm(): { suspendToMem?: boolean; suspendToDisk?: boolean } {
    const pm = this.child('pm');
    const read = (name: string) => {
      const e = pm?.children.find((n): n is XmlElement => n.kind === 'element' && n.name === name);
      const v = e && attrOf(e, 'enabled');
      return v === undefined ? undefined : v === 'yes';
    };
    return { suspendToMem: read('suspend-to-mem'), suspendToDisk: read('suspend-to-disk') };
  }
  /** `<keywrap>` ciphers (s390): name and state. */
  get keywrap(): Array<{ name: string; state?: string }> {
    const kw = this.child('keywrap');
    if (!kw) return [];
    return kw.children
      .filter((n): n is XmlElement => n.kind === 'element' && n.name === 'cipher')
      .map((c) => ({ name: attrOf(c, 'name') ?? '', state: attrOf(c, 'state') }));
  }

  /** Application metadata stored under `<metadata>` in the given XML namespace. */
  metadata(namespace: string): XmlElement | undefined {
    const md = this.child('metadata');
    if (!md) return undefined;
    for (const node of md.children) {
      if (node.kind !== 'element') continue;
      for (const key in node.attrs)
        if (key.startsWith('xmlns') && attrOf(node, key) === namespace) return node;
    }
    return undefined;
  }
  /** Stores `<prefix:name xmlns:prefix="namespace">` under `<metadata>`, replacing an older one. */
  setMetadata(namespace: string, prefix: string, element: XmlElement): this {
    const md = new ElementView(this.ensureChild('metadata'), 'metadata');
    const old = this.metadata(namespace);
    if (old) md.element.children = md.element.children.filter((n) => n !== old);
    const name = element.name.includes(':') ? element.name : `${prefix}:${element.name}`;
    const node = { ...element, name, attrs: { [`xmlns:${prefix}`]: namespace, ...element.attrs } };
    md.insert(node);
    return this;
  }

  /** `qemu:commandline` passthrough: extra QEMU arguments and environment variables. */
  get qemuCommandline(): { args: string[]; env: Array<{ name: string; value?: string }> } {
    const cl = this.child('qemu:commandline');
    const kids = cl ? cl.children.filter((n): n is XmlElement => n.kind === 'element') : [];
    return {
      args: kids.filter((k) => k.name === 'qemu:arg').map((k) => attrOf(k, 'value') ?? ''),
      env: kids
        .filter((k) => k.name === 'qemu:env')
        .map((k) => ({ name: attrOf(k, 'name') ?? '', value: attrOf(k, 'value') })),
    };
  }

  // Domain-wide configuration: boot, firmware, CPU, memory, clock, features, metadata.

  /** Direct kernel boot: kernel, initrd, command line, device tree. */
  kernelBoot(options: KernelBootOptions): this {
    this.os.setKernelBoot(options);
    return this;
  }

  /** OVMF/UEFI firmware: a read-only pflash loader plus a per-guest NVRAM file. */
  uefi(options: UefiOptions): this {
    this.os.setUefi(options);
    // Secure boot needs SMM, which is a domain feature rather than part of <os>.
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
    this.cpu.configure(options);
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
    this.memoryBacking.setShared();
    return this;
  }

  /**
   * `<memoryBacking>`: back guest RAM with huge pages (optionally of one size), keep it
   * locked in host RAM, or keep KSM from merging its pages.
   */
  withMemoryBacking(options: MemoryBackingOptions): this {
    this.memoryBacking.configure(options);
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

  // Devices: each added in libvirt's order, checked against the devices already there.

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

  private size(name: string): Size | undefined {
    const e = this.child(name);
    return e && readSize(name, textOf(e), attrOf(e, 'unit'), 'KiB');
  }
  private setSize(name: string, value: SizeInput | undefined): void {
    if (value === undefined) {
      this.removeChildren(name);
      return;
    }
    const size = toSize(value, name);
    // libvirt rounds up to KiB and refuses more than 2^53 - 1 KiB ("numerical overflow") and,
    // for <memory>, zero ("Memory size must be specified").
    const kib = Math.ceil(sizeToBytes(size) / 1024);
    if (kib > MAX_MEMORY_KIB) {
      throw new InvalidValueError(
        name,
        value,
        `more than libvirt's limit of ${MAX_MEMORY_KIB} KiB`,
      );
    }
    if (kib === 0 && name !== 'currentMemory') {
      throw new InvalidValueError(name, value, 'libvirt needs a size of at least 1 KiB');
    }
    const e = this.ensureChild(name);
    e.attrs.unit = size.unit;
    setText(e, String(size.value));
  }
  /** A view over a top-level section; a missing one is only added to the tree when written. */
  private section<T extends ElementView>(
    name: string,
    View: new (e: XmlElement, p: string, attach?: () => void) => T,
  ): T {
    const existing = this.child(name);
    if (existing) return new View(existing, name);
    const created = createElement(name);
    return new View(created, name, () => this.insert(created));
  }
}

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
