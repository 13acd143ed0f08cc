import { checkAbsolutePath, checkEnum, checkInt, checkNonEmpty } from '../../checks.js';
import { InvalidValueError } from '../../errors.js';
import type { XmlElement } from '../../xml/tree.js';
import { addressElement, type DeviceAddress } from '../address.js';
import { attrOf, el, yesNo } from '../view.js';
import { DeviceView } from './device.js';

export const DISK_DEVICES = ['disk', 'cdrom', 'floppy', 'lun'] as const;
export const DISK_BUSES = ['virtio', 'sata', 'scsi', 'ide', 'usb', 'fdc', 'sd', 'xen'] as const;
export const DISK_CACHE_MODES = [
  'default',
  'none',
  'writethrough',
  'writeback',
  'directsync',
  'unsafe',
] as const;
export const DISK_IO_MODES = ['native', 'threads', 'io_uring'] as const;

/** Where a disk's data lives: a host file, a block device, a network export or a pool volume. */
export type DiskSource =
  | string
  | { file: string }
  | { block: string }
  | { network: { protocol: string; name?: string; hosts?: Array<{ name: string; port?: number }> } }
  | { volume: { pool: string; volume: string } };

export interface DiskInput {
  /** Host path (file) or a typed source; omit for an empty cdrom/floppy drive. */
  source?: DiskSource;
  /** Guest device name, e.g. `vda`, `sda`, `hdc`. */
  target: string;
  bus?: (typeof DISK_BUSES)[number];
  device?: (typeof DISK_DEVICES)[number];
  /** Image format (`raw`, `qcow2`, ...); the driver type. */
  format?: string;
  cache?: (typeof DISK_CACHE_MODES)[number];
  io?: (typeof DISK_IO_MODES)[number];
  readonly?: boolean;
  shareable?: boolean;
  boot?: number;
  serial?: string;
  /** An image this disk's image is layered on (qcow2 backing file). */
  backingStore?: { file: string; format?: string };
  address?: DeviceAddress;
}

function sourceType(source: DiskSource | undefined): string {
  if (source === undefined || typeof source === 'string' || 'file' in source) return 'file';
  if ('block' in source) return 'block';
  if ('network' in source) return 'network';
  return 'volume';
}

function sourceElement(source: DiskSource, path: string): XmlElement {
  if (typeof source === 'string') return el('source', { file: checkAbsolutePath(path, source) });
  if ('file' in source) return el('source', { file: checkAbsolutePath(path, source.file) });
  if ('block' in source) return el('source', { dev: checkAbsolutePath(path, source.block) });
  if ('network' in source) {
    const { protocol, name, hosts = [] } = source.network;
    return el(
      'source',
      { protocol: checkNonEmpty(`${path}.protocol`, protocol), name },
      ...hosts.map((h, i) =>
        el('host', { name: checkNonEmpty(`${path}.hosts[${i}].name`, h.name), port: h.port }),
      ),
    );
  }
  return el('source', { pool: source.volume.pool, volume: source.volume.volume });
}

export function diskElement(input: DiskInput, path: string): XmlElement {
  const device = checkEnum(`${path}.device`, input.device ?? 'disk', DISK_DEVICES);
  if (typeof input.target !== 'string' || !/^[a-z]+[a-z0-9]*$/.test(input.target)) {
    throw new InvalidValueError(
      `${path}.target`,
      input.target,
      'expected a guest device name like vda',
    );
  }
  const bus = input.bus && checkEnum(`${path}.bus`, input.bus, DISK_BUSES);
  const driver = el('driver', {
    name: 'qemu',
    type: input.format ?? 'raw',
    cache: input.cache && checkEnum(`${path}.cache`, input.cache, DISK_CACHE_MODES),
    io: input.io && checkEnum(`${path}.io`, input.io, DISK_IO_MODES),
  });
  return el(
    'disk',
    { type: sourceType(input.source), device },
    driver,
    input.source !== undefined && sourceElement(input.source, `${path}.source`),
    input.backingStore &&
      el(
        'backingStore',
        { type: 'file' },
        el('format', { type: input.backingStore.format ?? 'raw' }),
        el('source', {
          file: checkAbsolutePath(`${path}.backingStore.file`, input.backingStore.file),
        }),
      ),
    el('target', { dev: input.target, bus }),
    input.boot !== undefined &&
      el('boot', { order: checkInt(`${path}.boot`, input.boot, 1, 65535) }),
    input.readonly === true && el('readonly'),
    input.shareable === true && el('shareable'),
    input.serial !== undefined && el('serial', {}, input.serial),
    input.address && addressElement(input.address, `${path}.address`),
  );
}

const DISK_CHILD_ORDER = [
  'driver',
  'auth',
  'source',
  'backingStore',
  'target',
  'iotune',
  'boot',
  'readonly',
  'shareable',
  'transient',
  'serial',
  'wwn',
  'vendor',
  'product',
  'encryption',
  'alias',
  'address',
];

/** A `<disk>`: type file/block/network/volume/dir, device disk/cdrom/floppy/lun. */
export class DiskView extends DeviceView {
  protected static override readonly childOrder: readonly string[] = DISK_CHILD_ORDER;

  /** What the guest sees: `disk`, `cdrom`, `floppy`, or `lun` (SCSI passthrough). */
  get device(): string {
    return this.attr('device') ?? 'disk';
  }
  /** The host side: file path, block device, network name or volume. */
  get source(): string | undefined {
    return (
      this.childAttr('source', 'file') ??
      this.childAttr('source', 'dev') ??
      this.childAttr('source', 'name') ??
      this.childAttr('source', 'volume') ??
      this.childAttr('source', 'dir')
    );
  }
  /** Guest device name hint (`vda`, `sda`); the real name is up to the guest driver. */
  get target(): string | undefined {
    return this.childAttr('target', 'dev');
  }
  /** Points a file disk (or cdrom) at another image; `undefined` ejects the medium. */
  setSourceFile(path: string | undefined): this {
    if (path === undefined) return this.removeChildren('source');
    this.setAttr('type', 'file');
    this.removeChildren('source');
    this.insert(el('source', { file: checkAbsolutePath(`${this.path}.source`, path) }));
    return this;
  }
  /** Bus the disk hangs off: `virtio`, `sata`, `scsi`, `ide`, `usb`, `fdc`... */
  get bus(): string | undefined {
    return this.childAttr('target', 'bus');
  }
  /** Hypervisor driver backend (`qemu` for QEMU/KVM). */
  get driverName(): string | undefined {
    return this.childAttr('driver', 'name');
  }
  /** Image format of the source (`raw`, `qcow2`...): the `<driver type>`. */
  get format(): string | undefined {
    return this.childAttr('driver', 'type');
  }
  /** Host page-cache mode (`none` bypasses it, `writeback` is the default in QEMU). */
  get cache(): string | undefined {
    return this.childAttr('driver', 'cache');
  }
  /** Host I/O submission: `native` (Linux AIO), `threads`, or `io_uring`. */
  get io(): string | undefined {
    return this.childAttr('driver', 'io');
  }
  /** The guest cannot write (`<readonly/>`); always the case for cdroms. */
  get readonly(): boolean {
    return this.child('readonly') !== undefined;
  }
  /** Several guests may use the image at once; no caching that breaks that. */
  get shareable(): boolean {
    return this.child('shareable') !== undefined;
  }
  /** The file the first `<backingStore>` layer points at. */
  get backingFile(): string | undefined {
    const store = this.child('backingStore');
    if (!store) return undefined;
    for (const node of store.children) {
      if (node.kind === 'element' && node.name === 'source')
        return attrOf(node, 'file') ?? attrOf(node, 'dev');
    }
    return undefined;
  }
  /** USB/SCSI disks: whether the guest sees removable media. */
  get removable(): boolean | undefined {
    return yesNo(`${this.path}.removable`, this.childAttr('target', 'removable'));
  }
}
