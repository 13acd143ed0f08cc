import { checkAbsolutePath, checkEnum, checkInt, checkNonEmpty } from '../../checks.js';
import type { XmlElement } from '../../xml/tree.js';
import { el } from '../view.js';
import { DeviceView } from './device.js';

export const CHAR_SOURCE_TYPES = [
  'pty',
  'unix',
  'file',
  'tcp',
  'null',
  'stdio',
  'vc',
  'pipe',
] as const;

/** A serial port; by default a pty (what `virsh console` attaches to). */
export interface SerialInput {
  type?: 'pty' | 'unix' | 'file' | 'tcp' | 'null';
  /** Socket or file path for `unix`/`file`. */
  path?: string;
  port?: number;
}

export function serialElement(input: SerialInput, path: string): XmlElement {
  const type = checkEnum(`${path}.type`, input.type ?? 'pty', CHAR_SOURCE_TYPES);
  const source =
    type === 'unix'
      ? el('source', { mode: 'bind', path: checkAbsolutePath(`${path}.path`, input.path ?? '') })
      : type === 'file'
        ? el('source', { path: checkAbsolutePath(`${path}.path`, input.path ?? '') })
        : undefined;
  return el(
    'serial',
    { type },
    source,
    el(
      'target',
      { type: 'isa-serial', port: checkInt(`${path}.port`, input.port ?? 0, 0, 31) },
      el('model', { name: 'isa-serial' }),
    ),
  );
}

export function consoleElement(type: string, port: number): XmlElement {
  return el('console', { type }, el('target', { type: 'serial', port }));
}

/** A host<->guest channel: a unix socket on a virtio-serial port, or SPICE's agent channel. */
export interface ChannelInput {
  type: 'unix' | 'spicevmc' | 'pty';
  /** virtio-serial port name the guest sees (`/dev/virtio-ports/<name>`). */
  name?: string;
  /** Host socket path for `unix`; libvirt picks one when omitted. */
  path?: string;
}

export function channelElement(input: ChannelInput, path: string): XmlElement {
  const type = checkEnum(`${path}.type`, input.type, ['unix', 'spicevmc', 'pty'] as const);
  const name = input.name ?? (type === 'spicevmc' ? 'com.redhat.spice.0' : undefined);
  return el(
    'channel',
    { type },
    type === 'unix' &&
      el('source', {
        mode: 'bind',
        path: input.path === undefined ? undefined : checkAbsolutePath(`${path}.path`, input.path),
      }),
    el('target', {
      type: 'virtio',
      name: name === undefined ? undefined : checkNonEmpty(`${path}.name`, name),
    }),
  );
}

/** `<serial>`, `<console>`, `<channel>`, `<parallel>`: a host source and a guest target. */
export class CharDeviceView extends DeviceView {
  /** Host side for `unix`/`file`/`pipe` sources (pty paths appear once running). */
  get sourcePath(): string | undefined {
    return this.childAttr('source', 'path');
  }
  /** Guest side: `isa-serial`, `pci-serial`, `serial`/`virtio` for consoles, `virtio`/`guestfwd` for channels. */
  get targetType(): string | undefined {
    return this.childAttr('target', 'type');
  }
  /** virtio-serial port name of a channel. */
  get targetName(): string | undefined {
    return this.childAttr('target', 'name');
  }
  /** Port number of a serial or console target. */
  get targetPort(): string | undefined {
    return this.childAttr('target', 'port');
  }
}
