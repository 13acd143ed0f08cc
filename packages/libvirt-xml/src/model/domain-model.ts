import { checkEnum, checkInt, readInt } from '../checks.js';
import { InvalidValueError } from '../errors.js';
import { readSize, type Size, type SizeInput, sizeToBytes, toSize } from '../units.js';
import { createElement, type XmlElement } from '../xml/tree.js';
import { DevicesView } from './devices/devices.js';
import { NamedDocumentView } from './document.js';
import { ClockView, CpuView, FeaturesView, MemoryBackingView, OsView } from './domain-parts.js';
import { attrOf, ElementView, setText, textOf } from './view.js';

/** Top-level elements in the order libvirt writes them. */
export const DOMAIN_ORDER = [
  'name',
  'uuid',
  'genid',
  'title',
  'description',
  'metadata',
  'maxMemory',
  'memory',
  'currentMemory',
  'blkiotune',
  'memtune',
  'memoryBacking',
  'vcpu',
  'vcpus',
  'iothreads',
  'iothreadids',
  'cputune',
  'numatune',
  'resource',
  'sysinfo',
  'bootloader',
  'bootloader_args',
  'os',
  'idmap',
  'features',
  'cpu',
  'clock',
  'on_poweroff',
  'on_reboot',
  'on_crash',
  'on_lockfailure',
  'pm',
  'perf',
  'devices',
  'seclabel',
  'keywrap',
  'launchSecurity',
  'qemu:commandline',
  'qemu:capabilities',
  'qemu:override',
  'qemu:deprecation',
];

/** The hypervisor types libvirt 9.0 accepts in `<domain type>`. */
export const DOMAIN_TYPES = [
  'kvm',
  'qemu',
  'test',
  'xen',
  'lxc',
  'hvf',
  'none',
  'kqemu',
  'vmware',
  'bhyve',
  'vbox',
  'hyperv',
  'vz',
  'uml',
  'openvz',
  'phyp',
  'parallels',
] as const;
export const LIFECYCLE_ACTIONS = [
  'destroy',
  'restart',
  'preserve',
  'rename-restart',
  'coredump-destroy',
  'coredump-restart',
] as const;
/** libvirt's largest memory size in KiB (VIR_DOMAIN_MEMORY_PARAM_UNLIMITED). */
export const MAX_MEMORY_KIB = Number.MAX_SAFE_INTEGER;
export const QEMU_NAMESPACE = 'http://libvirt.org/schemas/domain/qemu/1.0';

/**
 * A libvirt `<domain>`: a typed view over the parsed (or built) tree. Getters read the tree,
 * setters check the value and write it; elements the model does not cover stay untouched.
 */
export class DomainModel extends NamedDocumentView {
  protected static override readonly childOrder: readonly string[] = DOMAIN_ORDER;

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
