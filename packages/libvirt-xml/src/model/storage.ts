import { checkAbsolutePath, checkEnum, checkName, checkNonEmpty, checkUuid } from '../checks.js';
import { readSize, type Size, type SizeInput, toSize } from '../units.js';
import type { ParseXmlOptions } from '../xml/parse.js';
import type { XmlElement } from '../xml/tree.js';
import { DocumentView, joinPath, NamedDocumentView, newDocument, parseRoot } from './document.js';
import { attrOf, el, textOf } from './view.js';

export const POOL_TYPES = [
  'dir',
  'fs',
  'netfs',
  'logical',
  'disk',
  'iscsi',
  'iscsi-direct',
  'scsi',
  'mpath',
  'rbd',
  'sheepdog',
  'gluster',
  'zfs',
  'vstorage',
] as const;

export interface StoragePoolOptions {
  name: string;
  /** Pool backend (default `dir`). */
  type?: (typeof POOL_TYPES)[number];
  uuid?: string;
  /** Target directory the volumes appear in. */
  path: string;
  /** For `fs`/`logical`/`disk` pools: source device(s); for `netfs`: host + dir. */
  source?: { device?: string; host?: string; dir?: string; name?: string; format?: string };
}

function sizeOf(view: DocumentView, name: string): Size | undefined {
  const e = view.child(name);
  return e && readSize(joinPath(view.path, name), textOf(e), attrOf(e, 'unit'), 'bytes');
}

/** A libvirt `<pool>`: where volumes live. */
export class StoragePool extends NamedDocumentView {
  protected static override readonly childOrder = [
    'name',
    'uuid',
    'capacity',
    'allocation',
    'available',
    'features',
    'source',
    'target',
  ];

  get type(): string | undefined {
    return this.attr('type');
  }
  get capacity(): Size | undefined {
    return sizeOf(this, 'capacity');
  }
  get allocation(): Size | undefined {
    return sizeOf(this, 'allocation');
  }
  get available(): Size | undefined {
    return sizeOf(this, 'available');
  }
  get targetPath(): string | undefined {
    return grandchildText(this.child('target'), 'path');
  }
  /** Where the pool's data comes from: host, directory, devices, name, format. */
  get source(): { host?: string; dir?: string; devices: string[]; name?: string; format?: string } {
    const source = this.child('source');
    const kids = source ? source.children.filter((n): n is XmlElement => n.kind === 'element') : [];
    const first = (name: string) => kids.find((k) => k.name === name);
    const out: { host?: string; dir?: string; devices: string[]; name?: string; format?: string } =
      {
        devices: kids.filter((k) => k.name === 'device').map((k) => attrOf(k, 'path') ?? ''),
      };
    const host = first('host');
    const dir = first('dir');
    const name = first('name');
    const format = first('format');
    if (host) out.host = attrOf(host, 'name') ?? '';
    if (dir) out.dir = attrOf(dir, 'path') ?? '';
    if (name) out.name = textOf(name);
    if (format) out.format = attrOf(format, 'type') ?? '';
    return out;
  }
}

function grandchildText(parent: XmlElement | undefined, name: string): string | undefined {
  const e = parent?.children.find((n): n is XmlElement => n.kind === 'element' && n.name === name);
  return e && textOf(e);
}

export function storagePool(options: StoragePoolOptions): StoragePool {
  const pool = new StoragePool(newDocument('pool'));
  pool.setAttr('type', checkEnum('type', options.type ?? 'dir', POOL_TYPES));
  pool.name = options.name;
  if (options.uuid !== undefined) pool.setChildText('uuid', checkUuid('uuid', options.uuid));
  const s = options.source;
  if (s) {
    pool.insert(
      el(
        'source',
        {},
        s.host !== undefined && el('host', { name: checkNonEmpty('source.host', s.host) }),
        s.dir !== undefined && el('dir', { path: checkAbsolutePath('source.dir', s.dir) }),
        s.device !== undefined &&
          el('device', { path: checkAbsolutePath('source.device', s.device) }),
        s.name !== undefined && el('name', {}, s.name),
        s.format !== undefined && el('format', { type: s.format }),
      ),
    );
  }
  pool.insert(el('target', {}, el('path', {}, checkAbsolutePath('target.path', options.path))));
  return pool;
}

export function parseStoragePool(xml: string, options?: ParseXmlOptions): StoragePool {
  return new StoragePool(parseRoot(xml, 'pool', options));
}

export function serializeStoragePool(value: StoragePool): string {
  return value.toXml();
}

export const VOLUME_FORMATS = [
  'raw',
  'qcow2',
  'qcow',
  'qed',
  'vmdk',
  'vdi',
  'vpc',
  'iso',
  'dmg',
  'cow',
  'bochs',
  'cloop',
  'vhd',
  'ploop',
] as const;

export interface StorageVolumeOptions {
  name: string;
  capacity: SizeInput;
  allocation?: SizeInput;
  /** Image format (file pools), default `raw`. */
  format?: (typeof VOLUME_FORMATS)[number];
  /** qcow2 backing image. */
  backingStore?: { path: string; format?: (typeof VOLUME_FORMATS)[number] };
}

/** A libvirt `<volume>` inside a pool. */
export class StorageVolume extends DocumentView {
  protected static override readonly childOrder = [
    'name',
    'key',
    'source',
    'capacity',
    'allocation',
    'physical',
    'target',
    'backingStore',
  ];

  get name(): string | undefined {
    return this.childText('name');
  }
  set name(value: string) {
    this.setChildText('name', checkName('name', value));
  }
  get key(): string | undefined {
    return this.childText('key');
  }
  get capacity(): Size | undefined {
    return sizeOf(this, 'capacity');
  }
  set capacity(value: SizeInput) {
    const size = toSize(value, 'capacity', 'bytes');
    this.removeChildren('capacity');
    this.insert(el('capacity', { unit: size.unit }, String(size.value)));
  }
  get allocation(): Size | undefined {
    return sizeOf(this, 'allocation');
  }
  get format(): string | undefined {
    const target = this.child('target');
    const f = target?.children.find((n) => n.kind === 'element' && n.name === 'format');
    return f?.kind === 'element' ? attrOf(f, 'type') : undefined;
  }
  /** Path of the volume on the host (filled in by libvirt). */
  get targetPath(): string | undefined {
    return grandchildText(this.child('target'), 'path');
  }
  /** Path of the image this volume is layered on. */
  get backingStorePath(): string | undefined {
    return grandchildText(this.child('backingStore'), 'path');
  }
}

export function storageVolume(options: StorageVolumeOptions): StorageVolume {
  const vol = new StorageVolume(newDocument('volume'));
  vol.name = options.name;
  vol.capacity = options.capacity;
  if (options.allocation !== undefined) {
    const a = toSize(options.allocation, 'allocation', 'bytes');
    vol.insert(el('allocation', { unit: a.unit }, String(a.value)));
  }
  vol.insert(
    el(
      'target',
      {},
      el('format', { type: checkEnum('format', options.format ?? 'raw', VOLUME_FORMATS) }),
    ),
  );
  if (options.backingStore) {
    vol.insert(
      el(
        'backingStore',
        {},
        el('path', {}, checkAbsolutePath('backingStore.path', options.backingStore.path)),
        el('format', {
          type: checkEnum(
            'backingStore.format',
            options.backingStore.format ?? 'raw',
            VOLUME_FORMATS,
          ),
        }),
      ),
    );
  }
  return vol;
}

export function parseStorageVolume(xml: string, options?: ParseXmlOptions): StorageVolume {
  return new StorageVolume(parseRoot(xml, 'volume', options));
}

export function serializeStorageVolume(value: StorageVolume): string {
  return value.toXml();
}
