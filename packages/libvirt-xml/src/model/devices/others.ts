import { checkAbsolutePath, checkEnum, checkInt, checkNonEmpty, readInt } from '../../checks.js';
import type { XmlElement } from '../../xml/tree.js';
import { el, yesNo } from '../view.js';
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

/** `<graphics>`: VNC/SPICE port, autoport and listen address. */
export class GraphicsView extends DeviceView {
  get port(): number | undefined {
    return readInt(`${this.path}.port`, this.attr('port'));
  }
  get autoport(): boolean | undefined {
    return yesNo(`${this.path}.autoport`, this.attr('autoport'));
  }
  get listen(): string | undefined {
    return this.attr('listen') ?? this.childAttr('listen', 'address');
  }
}
