import { checkAbsolutePath, checkEnum, checkInt } from '../checks.js';
import { InvalidValueError } from '../errors.js';
import { type SizeInput, toSize } from '../units.js';
import type { XmlElement } from '../xml/tree.js';
import { DomainModel, type LIFECYCLE_ACTIONS, QEMU_NAMESPACE } from './domain-model.js';
import type { CPU_FEATURE_POLICIES, CPU_MODES, CpuTopology } from './domain-parts.js';
import { el } from './view.js';

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
 * The domain-wide builder methods (boot, firmware, CPU, clock, features, power management,
 * metadata, QEMU passthrough). Device methods are added by `Domain`.
 */
export class DomainConfig extends DomainModel {
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

  /**
   * `<memoryBacking>`: back guest RAM with huge pages (optionally of one size), keep it
   * locked in host RAM, or keep KSM from merging its pages.
   */
  withMemoryBacking(options: {
    hugepages?: boolean | SizeInput;
    locked?: boolean;
    nosharepages?: boolean;
  }): this {
    const mb = this.memoryBacking;
    mb.removeChildren('hugepages').removeChildren('nosharepages').removeChildren('locked');
    const huge = options.hugepages;
    if (huge === true) mb.insert(el('hugepages'));
    else if (huge !== undefined && huge !== false) {
      const size = toSize(huge, 'memoryBacking.hugepages');
      mb.insert(el('hugepages', {}, el('page', { size: size.value, unit: size.unit })));
    }
    if (options.nosharepages) mb.insert(el('nosharepages'));
    if (options.locked) mb.insert(el('locked'));
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

  /** Paths of devices that carry `<boot order>`. */
  protected devicesWithBootOrder(): string[] {
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
