import { checkAbsolutePath, checkEnum, checkInt, checkNonEmpty } from '../../checks.js';
import { readSize, type Size, type SizeInput, toSize } from '../../units.js';
import type { XmlElement } from '../../xml/tree.js';
import { el, textOf, yesNo } from '../view.js';
import { DeviceView } from './device.js';

/** Builders for the smaller device families; each checks its enums where the value is made. */

export const CONTROLLER_TYPES = [
  'pci',
  'usb',
  'scsi',
  'virtio-serial',
  'sata',
  'ide',
  'fdc',
  'ccid',
  'xenbus',
  'isa',
] as const;
export interface ControllerInput {
  type: (typeof CONTROLLER_TYPES)[number];
  index?: number;
  model?: string;
}
export function controllerElement(input: ControllerInput, path: string): XmlElement {
  return el('controller', {
    type: checkEnum(`${path}.type`, input.type, CONTROLLER_TYPES),
    index: input.index === undefined ? undefined : checkInt(`${path}.index`, input.index, 0, 255),
    model: input.model,
  });
}

export interface InputDeviceInput {
  type: 'tablet' | 'mouse' | 'keyboard' | 'passthrough' | 'evdev';
  bus?: 'usb' | 'ps2' | 'virtio' | 'xen';
}
export function inputElement(input: InputDeviceInput, path: string): XmlElement {
  return el('input', {
    type: checkEnum(`${path}.type`, input.type, [
      'tablet',
      'mouse',
      'keyboard',
      'passthrough',
      'evdev',
    ] as const),
    bus: input.bus && checkEnum(`${path}.bus`, input.bus, ['usb', 'ps2', 'virtio', 'xen'] as const),
  });
}

export interface GraphicsInput {
  type: 'vnc' | 'spice' | 'none' | 'egl-headless' | 'dbus';
  /** A fixed port, or omitted for autoport. */
  port?: number;
  listen?: string;
}
export function graphicsElement(input: GraphicsInput, path: string): XmlElement {
  const type = checkEnum(`${path}.type`, input.type, [
    'vnc',
    'spice',
    'none',
    'egl-headless',
    'dbus',
  ] as const);
  if (type !== 'vnc' && type !== 'spice') return el('graphics', { type });
  const fixed = input.port !== undefined;
  return el(
    'graphics',
    {
      type,
      port: fixed ? checkInt(`${path}.port`, input.port as number, 5900, 65535) : -1,
      autoport: fixed ? 'no' : 'yes',
    },
    input.listen !== undefined &&
      el('listen', { type: 'address', address: checkNonEmpty(`${path}.listen`, input.listen) }),
  );
}

export const VIDEO_MODELS = [
  'vga',
  'cirrus',
  'vmvga',
  'xen',
  'vbox',
  'qxl',
  'virtio',
  'gop',
  'bochs',
  'ramfb',
  'none',
] as const;
export function videoElement(
  input: { model: (typeof VIDEO_MODELS)[number]; heads?: number },
  path: string,
): XmlElement {
  return el(
    'video',
    {},
    el('model', {
      type: checkEnum(`${path}.model`, input.model, VIDEO_MODELS),
      heads: input.heads === undefined ? undefined : checkInt(`${path}.heads`, input.heads, 1, 16),
    }),
  );
}

export const SOUND_MODELS = [
  'sb16',
  'es1370',
  'pcspk',
  'ac97',
  'ich6',
  'ich7',
  'ich9',
  'usb',
  'ics2000',
] as const;
export function soundElement(
  input: { model: (typeof SOUND_MODELS)[number] },
  path: string,
): XmlElement {
  return el('sound', { model: checkEnum(`${path}.model`, input.model, SOUND_MODELS) });
}

export function redirdevElement(input: { type?: 'spicevmc' }, path: string): XmlElement {
  return el('redirdev', {
    bus: 'usb',
    type: checkEnum(`${path}.type`, input.type ?? 'spicevmc', ['spicevmc'] as const),
  });
}

export function smartcardElement(
  input: { mode?: 'passthrough' | 'host' },
  path: string,
): XmlElement {
  const mode = checkEnum(`${path}.mode`, input.mode ?? 'passthrough', [
    'passthrough',
    'host',
  ] as const);
  return mode === 'host' ? el('smartcard', { mode }) : el('smartcard', { mode, type: 'spicevmc' });
}

/** A virtio RNG fed from a host random device. */
export function rngElement(input: { backend?: string }, path: string): XmlElement {
  return el(
    'rng',
    { model: 'virtio' },
    el(
      'backend',
      { model: 'random' },
      checkAbsolutePath(`${path}.backend`, input.backend ?? '/dev/urandom'),
    ),
  );
}

export interface TpmInput {
  model?: 'tpm-tis' | 'tpm-crb' | 'spapr-tpm-proxy';
  /** `emulator` runs swtpm; `passthrough` uses a host TPM device. */
  backend?: 'emulator' | 'passthrough';
  version?: '1.2' | '2.0';
  device?: string;
}
export function tpmElement(input: TpmInput, path: string): XmlElement {
  const backend = checkEnum(`${path}.backend`, input.backend ?? 'emulator', [
    'emulator',
    'passthrough',
  ] as const);
  return el(
    'tpm',
    {
      model: checkEnum(`${path}.model`, input.model ?? 'tpm-crb', [
        'tpm-tis',
        'tpm-crb',
        'spapr-tpm-proxy',
      ] as const),
    },
    backend === 'emulator'
      ? el('backend', { type: 'emulator', version: input.version ?? '2.0' })
      : el(
          'backend',
          { type: 'passthrough' },
          el('device', { path: checkAbsolutePath(`${path}.device`, input.device ?? '/dev/tpm0') }),
        ),
  );
}

export const WATCHDOG_ACTIONS = [
  'reset',
  'shutdown',
  'poweroff',
  'pause',
  'none',
  'dump',
  'inject-nmi',
] as const;
export function watchdogElement(
  input: {
    model?: 'i6300esb' | 'ib700' | 'diag288' | 'itco';
    action?: (typeof WATCHDOG_ACTIONS)[number];
  },
  path: string,
): XmlElement {
  return el('watchdog', {
    model: checkEnum(`${path}.model`, input.model ?? 'i6300esb', [
      'i6300esb',
      'ib700',
      'diag288',
      'itco',
    ] as const),
    action: input.action && checkEnum(`${path}.action`, input.action, WATCHDOG_ACTIONS),
  });
}

export function memballoonElement(
  input: { model?: 'virtio' | 'none' | 'xen' },
  path: string,
): XmlElement {
  return el('memballoon', {
    model: checkEnum(`${path}.model`, input.model ?? 'virtio', ['virtio', 'none', 'xen'] as const),
  });
}

export function panicElement(
  input: { model?: 'isa' | 'pseries' | 'hyperv' | 's390' | 'pvpanic' },
  path: string,
): XmlElement {
  return el('panic', {
    model: checkEnum(`${path}.model`, input.model ?? 'isa', [
      'isa',
      'pseries',
      'hyperv',
      's390',
      'pvpanic',
    ] as const),
  });
}

/** Hot-pluggable guest memory: a DIMM, or an NVDIMM backed by a host file. */
export interface MemoryDeviceInput {
  model: 'dimm' | 'nvdimm' | 'virtio-pmem' | 'virtio-mem';
  size: SizeInput;
  node?: number;
  /** NVDIMM label area size. */
  label?: SizeInput;
  source?: { path?: string; pagesize?: SizeInput; nodemask?: string };
}
export function memoryDeviceElement(input: MemoryDeviceInput, path: string): XmlElement {
  const model = checkEnum(`${path}.model`, input.model, [
    'dimm',
    'nvdimm',
    'virtio-pmem',
    'virtio-mem',
  ] as const);
  const size = toSize(input.size, `${path}.size`);
  const label = input.label === undefined ? undefined : toSize(input.label, `${path}.label`);
  const src = input.source;
  const pagesize =
    src?.pagesize === undefined ? undefined : toSize(src.pagesize, `${path}.source.pagesize`);
  return el(
    'memory',
    { model },
    src &&
      el(
        'source',
        {},
        src.path !== undefined &&
          el('path', {}, checkAbsolutePath(`${path}.source.path`, src.path)),
        pagesize && el('pagesize', { unit: pagesize.unit }, String(pagesize.value)),
        src.nodemask !== undefined && el('nodemask', {}, src.nodemask),
      ),
    el(
      'target',
      {},
      el('size', { unit: size.unit }, String(size.value)),
      input.node !== undefined &&
        el('node', {}, String(checkInt(`${path}.node`, input.node, 0, 255))),
      label && el('label', {}, el('size', { unit: label.unit }, String(label.value))),
    ),
  );
}

/** Inter-VM shared memory (ivshmem). */
export interface ShmemInput {
  name: string;
  model?: 'ivshmem-plain' | 'ivshmem-doorbell';
  size?: SizeInput;
  /** Doorbell server socket (ivshmem-doorbell only). */
  server?: string;
  msi?: { vectors?: number; ioeventfd?: boolean };
}
export function shmemElement(input: ShmemInput, path: string): XmlElement {
  const model = checkEnum(`${path}.model`, input.model ?? 'ivshmem-plain', [
    'ivshmem-plain',
    'ivshmem-doorbell',
  ] as const);
  const size = input.size === undefined ? undefined : toSize(input.size, `${path}.size`, 'M');
  return el(
    'shmem',
    { name: checkNonEmpty(`${path}.name`, input.name) },
    el('model', { type: model }),
    size && el('size', { unit: size.unit }, String(size.value)),
    model === 'ivshmem-doorbell' &&
      el('server', {
        path:
          input.server === undefined
            ? undefined
            : checkAbsolutePath(`${path}.server`, input.server),
      }),
    model === 'ivshmem-doorbell' &&
      input.msi &&
      el('msi', {
        vectors:
          input.msi.vectors === undefined
            ? undefined
            : checkInt(`${path}.msi.vectors`, input.msi.vectors, 1, 1024),
        ioeventfd:
          input.msi.ioeventfd === undefined ? undefined : input.msi.ioeventfd ? 'on' : 'off',
      }),
  );
}

export function iommuElement(
  input: { model?: 'intel' | 'smmuv3' | 'virtio'; intremap?: boolean; cachingMode?: boolean },
  path: string,
): XmlElement {
  const model = checkEnum(`${path}.model`, input.model ?? 'intel', [
    'intel',
    'smmuv3',
    'virtio',
  ] as const);
  const onOff = (v: boolean | undefined) => (v === undefined ? undefined : v ? 'on' : 'off');
  const driver =
    input.intremap !== undefined || input.cachingMode !== undefined
      ? el('driver', { intremap: onOff(input.intremap), caching_mode: onOff(input.cachingMode) })
      : undefined;
  return el('iommu', { model }, driver);
}

/** Devices without a dedicated view: the `model` attribute or `<model type>` child. */
export class GenericDeviceView extends DeviceView {
  get model(): string | undefined {
    return this.attr('model') ?? this.childAttr('model', 'type');
  }
}

function sizeChild(
  parent: XmlElement | undefined,
  name: string,
  defaultUnit: string,
): Size | undefined {
  const e = parent?.children.find((n): n is XmlElement => n.kind === 'element' && n.name === name);
  return e && readSize(textOf(e), e.attrs.unit, defaultUnit);
}

/** `<graphics>`: VNC/SPICE port, autoport and listen address. */
export class GraphicsView extends DeviceView {
  get port(): number | undefined {
    const p = this.attr('port');
    return p === undefined ? undefined : Number(p);
  }
  get autoport(): boolean | undefined {
    return yesNo(this.attr('autoport'));
  }
  get listen(): string | undefined {
    return this.attr('listen') ?? this.childAttr('listen', 'address');
  }
}

/** A memory device (`<memory model='dimm|nvdimm|virtio-pmem|virtio-mem'>`). */
export class MemoryDeviceView extends DeviceView {
  get model(): string | undefined {
    return this.attr('model');
  }
  /** Size of the device (`<target><size>`). */
  get size(): Size | undefined {
    return sizeChild(this.child('target'), 'size', 'KiB');
  }
  /** Guest NUMA node it is plugged into. */
  get node(): number | undefined {
    const target = this.child('target');
    const node = target?.children.find(
      (n): n is XmlElement => n.kind === 'element' && n.name === 'node',
    );
    return node === undefined ? undefined : Number(textOf(node));
  }
  /** NVDIMM label area size. */
  get labelSize(): Size | undefined {
    const target = this.child('target');
    const label = target?.children.find(
      (n): n is XmlElement => n.kind === 'element' && n.name === 'label',
    );
    return sizeChild(label, 'size', 'KiB');
  }
  /** Backing file (nvdimm, virtio-pmem). */
  get sourcePath(): string | undefined {
    const source = this.child('source');
    const path = source?.children.find(
      (n): n is XmlElement => n.kind === 'element' && n.name === 'path',
    );
    return path && textOf(path);
  }
  get pagesize(): Size | undefined {
    return sizeChild(this.child('source'), 'pagesize', 'KiB');
  }
}

/** `<shmem>`: ivshmem region name, model, size, doorbell server. */
export class ShmemView extends DeviceView {
  get name(): string | undefined {
    return this.attr('name');
  }
  get model(): string | undefined {
    return this.childAttr('model', 'type');
  }
  get size(): Size | undefined {
    return sizeChild(this.element, 'size', 'M');
  }
  get serverPath(): string | undefined {
    return this.childAttr('server', 'path');
  }
}
