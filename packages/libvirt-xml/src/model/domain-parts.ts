import { checkAbsolutePath, checkEnum, checkInt, readInt } from '../checks.js';
import { readSize, type Size } from '../units.js';
import type { XmlElement } from '../xml/tree.js';
import { attrOf, ElementView, el, textOf, yesNo } from './view.js';

export const OS_BOOT_DEVICES = ['hd', 'cdrom', 'fd', 'network'] as const;

/** `<os>`: guest type, firmware (loader + nvram), direct kernel boot, boot order. */
export class OsView extends ElementView {
  protected static override readonly childOrder = [
    'type',
    'firmware',
    'loader',
    'nvram',
    'kernel',
    'initrd',
    'cmdline',
    'dtb',
    'acpi',
    'boot',
    'bootmenu',
    'smbios',
    'bios',
  ];

  /** `hvm`, `linux` (Xen PV), `exe` (containers)... */
  get type(): string | undefined {
    return this.childText('type');
  }
  get arch(): string | undefined {
    return this.childAttr('type', 'arch');
  }
  get machine(): string | undefined {
    return this.childAttr('type', 'machine');
  }
  /** `bios` or `efi` firmware auto-selection. */
  get firmware(): string | undefined {
    return this.attr('firmware');
  }
  get loader(): string | undefined {
    return this.childText('loader');
  }
  get loaderType(): string | undefined {
    return this.childAttr('loader', 'type');
  }
  get secure(): boolean | undefined {
    return yesNo(`${this.path}.loader.secure`, this.childAttr('loader', 'secure'));
  }
  get nvram(): string | undefined {
    return this.childText('nvram');
  }
  get kernel(): string | undefined {
    return this.childText('kernel');
  }
  set kernel(value: string | undefined) {
    this.setChildText(
      'kernel',
      value === undefined ? undefined : checkAbsolutePath(`${this.path}.kernel`, value),
    );
  }
  get initrd(): string | undefined {
    return this.childText('initrd');
  }
  set initrd(value: string | undefined) {
    this.setChildText(
      'initrd',
      value === undefined ? undefined : checkAbsolutePath(`${this.path}.initrd`, value),
    );
  }
  get cmdline(): string | undefined {
    return this.childText('cmdline');
  }
  set cmdline(value: string | undefined) {
    this.setChildText('cmdline', value);
  }
  /** Boot devices in order (`<boot dev>`). */
  get boot(): string[] {
    return this.children('boot').map((b) => attrOf(b, 'dev') ?? '');
  }
  set boot(devices: string[]) {
    this.removeChildren('boot');
    devices.forEach((dev, i) => {
      this.insert(el('boot', { dev: checkEnum(`${this.path}.boot[${i}]`, dev, OS_BOOT_DEVICES) }));
    });
  }
  get bootmenu(): boolean | undefined {
    return yesNo(`${this.path}.bootmenu`, this.childAttr('bootmenu', 'enable'));
  }
  set bootmenu(value: boolean | undefined) {
    this.setChildAttr('bootmenu', 'enable', value);
  }
}

export const CPU_MODES = ['custom', 'host-model', 'host-passthrough', 'maximum'] as const;
export const CPU_FEATURE_POLICIES = ['force', 'require', 'optional', 'disable', 'forbid'] as const;

export interface CpuTopology {
  sockets: number;
  dies?: number;
  cores: number;
  threads: number;
}

/** `<cpu>`: mode, model, topology, features. */
export class CpuView extends ElementView {
  protected static override readonly childOrder = [
    'model',
    'vendor',
    'topology',
    'cache',
    'maxphysaddr',
    'feature',
    'numa',
  ];

  get mode(): string | undefined {
    return this.attr('mode');
  }
  set mode(value: (typeof CPU_MODES)[number] | undefined) {
    this.setAttr('mode', value && checkEnum(`${this.path}.mode`, value, CPU_MODES));
  }
  get model(): string | undefined {
    const m = this.child('model');
    return m && textOf(m);
  }
  set model(value: string | undefined) {
    this.setChildText('model', value);
  }
  get topology(): CpuTopology | undefined {
    const t = this.child('topology');
    if (!t) return undefined;
    const n = (k: string) => readInt(`${this.path}.topology.${k}`, attrOf(t, k)) ?? 1;
    return { sockets: n('sockets'), dies: n('dies'), cores: n('cores'), threads: n('threads') };
  }
  set topology(value: CpuTopology | undefined) {
    this.removeChildren('topology');
    if (!value) return;
    const p = `${this.path}.topology`;
    this.insert(
      el('topology', {
        sockets: checkInt(`${p}.sockets`, value.sockets, 1, 65535),
        dies: value.dies === undefined ? undefined : checkInt(`${p}.dies`, value.dies, 1, 65535),
        cores: checkInt(`${p}.cores`, value.cores, 1, 65535),
        threads: checkInt(`${p}.threads`, value.threads, 1, 65535),
      }),
    );
  }
  get features(): Array<{ name: string; policy: string | undefined }> {
    return this.children('feature').map((f) => ({
      name: attrOf(f, 'name') ?? '',
      policy: attrOf(f, 'policy'),
    }));
  }
  addFeature(name: string, policy: (typeof CPU_FEATURE_POLICIES)[number] = 'require'): this {
    const i = this.children('feature').length;
    this.insert(
      el('feature', {
        policy: checkEnum(`${this.path}.features[${i}].policy`, policy, CPU_FEATURE_POLICIES),
        name,
      }),
    );
    return this;
  }
}

/** `<features>`: hypervisor features, each an element (`<acpi/>`, `<apic/>`, `<hyperv>`...). */
export class FeaturesView extends ElementView {
  get names(): string[] {
    return this.element.children
      .filter((n): n is XmlElement => n.kind === 'element')
      .map((n) => n.name);
  }
  has(name: string): boolean {
    return this.child(name) !== undefined;
  }
  /** Turns a simple feature on (adds `<name/>`) or off (removes it). */
  set(name: string, on = true): this {
    if (!on) return this.removeChildren(name);
    this.ensureChild(name);
    return this;
  }
}

/** `<clock>`: offset and timers. */
export class ClockView extends ElementView {
  get offset(): string | undefined {
    return this.attr('offset');
  }
  set offset(value: 'utc' | 'localtime' | 'timezone' | 'variable' | 'absolute' | undefined) {
    this.setAttr(
      'offset',
      value &&
        checkEnum(`${this.path}.offset`, value, [
          'utc',
          'localtime',
          'timezone',
          'variable',
          'absolute',
        ] as const),
    );
  }
  get timers(): Array<{ name: string; present?: boolean; tickpolicy?: string }> {
    return this.children('timer').map((t, i) => ({
      name: attrOf(t, 'name') ?? '',
      present: yesNo(`${this.path}.timers[${i}].present`, attrOf(t, 'present')),
      tickpolicy: attrOf(t, 'tickpolicy'),
    }));
  }
  addTimer(
    name: string,
    options: { present?: boolean; tickpolicy?: 'delay' | 'catchup' | 'merge' | 'discard' } = {},
  ): this {
    this.insert(el('timer', { name, tickpolicy: options.tickpolicy, present: options.present }));
    return this;
  }
}

/** `<memoryBacking>`: hugepages, shared memory (needed by virtiofs), locking. */
export class MemoryBackingView extends ElementView {
  protected static override readonly childOrder = [
    'hugepages',
    'nosharepages',
    'locked',
    'source',
    'access',
    'allocation',
    'discard',
  ];

  get hugepages(): boolean {
    return this.child('hugepages') !== undefined;
  }
  get sourceType(): string | undefined {
    return this.childAttr('source', 'type');
  }
  get accessMode(): string | undefined {
    return this.childAttr('access', 'mode');
  }
  get locked(): boolean {
    return this.child('locked') !== undefined;
  }
  get nosharepages(): boolean {
    return this.child('nosharepages') !== undefined;
  }
  /** Huge page sizes asked for (empty when `<hugepages/>` leaves the size to the host default). */
  get hugepageSizes(): Size[] {
    const huge = this.child('hugepages');
    if (!huge) return [];
    return huge.children
      .filter((n): n is XmlElement => n.kind === 'element' && n.name === 'page')
      .map((p, i) =>
        readSize(`${this.path}.hugepageSizes[${i}]`, attrOf(p, 'size'), attrOf(p, 'unit'), 'KiB'),
      )
      .filter((x): x is Size => x !== undefined);
  }
}
