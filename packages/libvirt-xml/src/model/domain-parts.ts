import { checkAbsolutePath, checkEnum, checkInt, readInt } from '../checks.js';
import { InvalidValueError } from '../errors.js';
import { readSize, type Size, type SizeInput, toSize } from '../units.js';
import type { XmlElement } from '../xml/tree.js';
import { attrOf, ElementView, el, textOf, yesNo } from './view.js';

export const OS_BOOT_DEVICES = ['hd', 'cdrom', 'fd', 'network'] as const;

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

  /** Direct kernel boot: kernel, initrd, command line, device tree. */
  setKernelBoot(options: KernelBootOptions): this {
    this.kernel = checkAbsolutePath(`${this.path}.kernel`, options.kernel);
    if (options.initrd !== undefined) this.initrd = options.initrd;
    if (options.cmdline !== undefined) this.cmdline = options.cmdline;
    if (options.dtb !== undefined) {
      this.setChildText('dtb', checkAbsolutePath(`${this.path}.dtb`, options.dtb));
    }
    return this;
  }

  /**
   * OVMF/UEFI firmware: a read-only pflash loader plus a per-guest NVRAM file. (Secure boot
   * also needs the `smm` feature, which `Domain.uefi` adds.)
   */
  setUefi(options: UefiOptions): this {
    this.removeChildren('loader').removeChildren('nvram');
    this.insert(
      el(
        'loader',
        { readonly: 'yes', secure: options.secure, type: 'pflash' },
        checkAbsolutePath(`${this.path}.loader`, options.loader),
      ),
    );
    if (options.nvram !== undefined || options.nvramTemplate !== undefined) {
      this.insert(
        el(
          'nvram',
          {
            template:
              options.nvramTemplate &&
              checkAbsolutePath(`${this.path}.nvram.template`, options.nvramTemplate),
          },
          options.nvram && checkAbsolutePath(`${this.path}.nvram`, options.nvram),
        ),
      );
    }
    return this;
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

export interface CpuOptions {
  mode?: (typeof CPU_MODES)[number];
  model?: string;
  topology?: CpuTopology;
  features?: Array<{ name: string; policy?: (typeof CPU_FEATURE_POLICIES)[number] }>;
  /** Guest NUMA cells (memory devices such as DIMMs need at least one). */
  numa?: Array<{ id: number; cpus: string; memory: SizeInput }>;
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

  /** Mode, model, topology, features and NUMA cells at once; `host-model` when none is given. */
  configure(options: CpuOptions): this {
    if (options.mode !== undefined) this.mode = options.mode;
    if (options.model !== undefined) this.model = options.model;
    if (options.topology !== undefined) this.topology = options.topology;
    for (const f of options.features ?? []) this.addFeature(f.name, f.policy);
    if (options.numa !== undefined) {
      this.removeChildren('numa');
      const cells = options.numa.map((cell, i) => {
        const path = `${this.path}.numa[${i}]`;
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
      this.insert(el('numa', {}, ...cells));
    }
    if (!this.present) this.setAttr('mode', 'host-model');
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

export interface MemoryBackingOptions {
  /** Back guest RAM with huge pages: `true` for the host default size, or one size. */
  hugepages?: boolean | SizeInput;
  /** Keep guest RAM locked in host RAM. */
  locked?: boolean;
  /** Keep KSM from merging the guest's pages. */
  nosharepages?: boolean;
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

  /** Shared memfd backing, which virtiofs needs. */
  setShared(): this {
    this.removeChildren('source').removeChildren('access');
    this.insert(el('source', { type: 'memfd' }));
    this.insert(el('access', { mode: 'shared' }));
    return this;
  }

  /** Huge pages, locking and page sharing, replacing what was set before. */
  configure(options: MemoryBackingOptions): this {
    this.removeChildren('hugepages').removeChildren('nosharepages').removeChildren('locked');
    const huge = options.hugepages;
    if (huge === true) this.insert(el('hugepages'));
    else if (huge !== undefined && huge !== false) {
      const size = toSize(huge, `${this.path}.hugepages`);
      this.insert(el('hugepages', {}, el('page', { size: size.value, unit: size.unit })));
    }
    if (options.nosharepages) this.insert(el('nosharepages'));
    if (options.locked) this.insert(el('locked'));
    return this;
  }
}
