import { checkAbsolutePath, checkEnum, checkInt, checkNonEmpty, readInt } from '../../checks.js';
import { readSize, type Size, type SizeInput, toSize } from '../../units.js';
import type { XmlElement } from '../../xml/tree.js';
import { attrOf, el, textOf } from '../view.js';
import { DeviceView } from './device.js';

/** Memory devices (DIMM, NVDIMM, virtio-pmem/-mem) and inter-VM shared memory (ivshmem). */

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

function sizeChild(
  path: string,
  parent: XmlElement | undefined,
  name: string,
  defaultUnit: string,
): Size | undefined {
  const e = parent?.children.find((n): n is XmlElement => n.kind === 'element' && n.name === name);
  return e && readSize(path, textOf(e), attrOf(e, 'unit'), defaultUnit);
}

/** A memory device (`<memory model='dimm|nvdimm|virtio-pmem|virtio-mem'>`). */
export class MemoryDeviceView extends DeviceView {
  get model(): string | undefined {
    return this.attr('model');
  }
  /** Size of the device (`<target><size>`). */
  get size(): Size | undefined {
    return sizeChild(`${this.path}.size`, this.child('target'), 'size', 'KiB');
  }
  /** Guest NUMA node it is plugged into. */
  get node(): number | undefined {
    const target = this.child('target');
    const node = target?.children.find(
      (n): n is XmlElement => n.kind === 'element' && n.name === 'node',
    );
    return node && readInt(`${this.path}.node`, textOf(node));
  }
  /** NVDIMM label area size. */
  get labelSize(): Size | undefined {
    const target = this.child('target');
    const label = target?.children.find(
      (n): n is XmlElement => n.kind === 'element' && n.name === 'label',
    );
    return sizeChild(`${this.path}.labelSize`, label, 'size', 'KiB');
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
    return sizeChild(`${this.path}.pagesize`, this.child('source'), 'pagesize', 'KiB');
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
    return sizeChild(`${this.path}.size`, this.element, 'size', 'M');
  }
  get serverPath(): string | undefined {
    return this.childAttr('server', 'path');
  }
}
