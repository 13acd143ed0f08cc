import { checkAbsolutePath, checkEnum, checkNonEmpty } from '../../checks.js';
import { InvalidValueError } from '../../errors.js';
import type { XmlElement } from '../../xml/tree.js';
import { addressElement, type DeviceAddress } from '../address.js';
import { el } from '../view.js';
import { DeviceView } from './device.js';

export const FS_ACCESS_MODES = ['passthrough', 'mapped', 'squash'] as const;
export const FS_DRIVERS = ['path', 'handle', 'loop', 'nbd', 'ploop', 'virtiofs'] as const;

/** A host directory shared with the guest (9p with driver `path`, or virtiofs). */
export interface FilesystemInput {
  /** Host directory. */
  source: string;
  /** Mount tag the guest uses (`mount -t 9p <tag>`). */
  target: string;
  /** How guest file ownership maps to the host; virtiofs only supports passthrough. */
  accessmode?: (typeof FS_ACCESS_MODES)[number];
  driver?: (typeof FS_DRIVERS)[number];
  readonly?: boolean;
  address?: DeviceAddress;
}

export function filesystemElement(input: FilesystemInput, path: string): XmlElement {
  const accessmode = checkEnum(
    `${path}.accessmode`,
    input.accessmode ?? 'passthrough',
    FS_ACCESS_MODES,
  );
  const driver = input.driver && checkEnum(`${path}.driver`, input.driver, FS_DRIVERS);
  if (driver === 'virtiofs' && accessmode !== 'passthrough') {
    throw new InvalidValueError(
      `${path}.accessmode`,
      accessmode,
      'virtiofs only supports passthrough',
    );
  }
  return el(
    'filesystem',
    { type: 'mount', accessmode },
    driver && el('driver', { type: driver }),
    el('source', { dir: checkAbsolutePath(`${path}.source`, input.source) }),
    el('target', { dir: checkNonEmpty(`${path}.target`, input.target) }),
    input.readonly === true && el('readonly'),
    input.address && addressElement(input.address, `${path}.address`),
  );
}

/** A `<filesystem>`: type mount/block/file/ram/..., with accessmode and driver. */
export class FilesystemView extends DeviceView {
  /** How guest file ownership and permissions map to the host: `passthrough` (host credentials), `mapped` (stored in xattrs), `squash` (passthrough without failing on chown). */
  get accessmode(): string | undefined {
    return this.attr('accessmode');
  }
  /** Backend: `path` (9p, the default), `handle`, `virtiofs`, or `loop`/`nbd`/`ploop` for images. */
  get driver(): string | undefined {
    return this.childAttr('driver', 'type');
  }
  /** Host directory (or image file / block device for the other types). */
  get source(): string | undefined {
    return (
      this.childAttr('source', 'dir') ??
      this.childAttr('source', 'file') ??
      this.childAttr('source', 'dev')
    );
  }
  /** Mount tag the guest uses to find the share. */
  get target(): string | undefined {
    return this.childAttr('target', 'dir');
  }
  /** Exported read-only to the guest. */
  get readonly(): boolean {
    return this.child('readonly') !== undefined;
  }
}
