import { removeChild, type XmlElement } from '../../xml/tree.js';
import { ElementView, textOf } from '../view.js';
import { CharDeviceView } from './character.js';
import { DeviceView } from './device.js';
import { DiskView } from './disk.js';
import { FilesystemView } from './filesystem.js';
import { HostdevView } from './hostdev.js';
import { InterfaceView } from './interface.js';
import { MemoryDeviceView, ShmemView } from './memory.js';
import { GenericDeviceView, GraphicsView } from './others.js';
import { VsockView } from './vsock.js';

/** Device element names in the order libvirt writes them inside `<devices>`. */
export const DEVICE_ORDER = [
  'emulator',
  'disk',
  'controller',
  'lease',
  'filesystem',
  'interface',
  'smartcard',
  'serial',
  'parallel',
  'console',
  'channel',
  'input',
  'tpm',
  'graphics',
  'sound',
  'audio',
  'video',
  'hostdev',
  'redirdev',
  'redirfilter',
  'hub',
  'watchdog',
  'memballoon',
  'rng',
  'nvram',
  'panic',
  'shmem',
  'memory',
  'iommu',
  'vsock',
  'crypto',
] as const;

/**
 * The `<devices>` element, one typed list per device family. Lists are live views: each call
 * reads the tree, and each item's `path` (`devices.interfaces[1]`) is used in its errors.
 */
export class DevicesView extends ElementView {
  protected static override readonly childOrder: readonly string[] = DEVICE_ORDER;

  private list<T>(
    name: string,
    key: string,
    View: new (e: XmlElement, p: string, attach: undefined, devices: XmlElement) => T,
  ): T[] {
    return this.children(name).map(
      (e, i) => new View(e, `${this.path}.${key}[${i}]`, undefined, this.element),
    );
  }

  /** Removes a device (any view from these lists) with its indentation; false if not here. */
  remove(device: ElementView): boolean {
    const present = this.element.children.includes(device.element);
    if (present) removeChild(this.element, device.element);
    return present;
  }

  get emulator(): string | undefined {
    const e = this.child('emulator');
    return e && textOf(e);
  }
  set emulator(value: string | undefined) {
    this.setChildText('emulator', value);
  }
  get disks(): DiskView[] {
    return this.list('disk', 'disks', DiskView);
  }
  get controllers(): GenericDeviceView[] {
    return this.list('controller', 'controllers', GenericDeviceView);
  }
  get filesystems(): FilesystemView[] {
    return this.list('filesystem', 'filesystems', FilesystemView);
  }
  get interfaces(): InterfaceView[] {
    return this.list('interface', 'interfaces', InterfaceView);
  }
  get smartcards(): DeviceView[] {
    return this.list('smartcard', 'smartcards', DeviceView);
  }
  get serials(): CharDeviceView[] {
    return this.list('serial', 'serials', CharDeviceView);
  }
  get parallels(): CharDeviceView[] {
    return this.list('parallel', 'parallels', CharDeviceView);
  }
  get consoles(): CharDeviceView[] {
    return this.list('console', 'consoles', CharDeviceView);
  }
  get channels(): CharDeviceView[] {
    return this.list('channel', 'channels', CharDeviceView);
  }
  get inputs(): DeviceView[] {
    return this.list('input', 'inputs', DeviceView);
  }
  get tpms(): GenericDeviceView[] {
    return this.list('tpm', 'tpms', GenericDeviceView);
  }
  get graphics(): GraphicsView[] {
    return this.list('graphics', 'graphics', GraphicsView);
  }
  get sounds(): GenericDeviceView[] {
    return this.list('sound', 'sounds', GenericDeviceView);
  }
  get videos(): GenericDeviceView[] {
    return this.list('video', 'videos', GenericDeviceView);
  }
  get hostdevs(): HostdevView[] {
    return this.list('hostdev', 'hostdevs', HostdevView);
  }
  get redirdevs(): DeviceView[] {
    return this.list('redirdev', 'redirdevs', DeviceView);
  }
  get watchdogs(): GenericDeviceView[] {
    return this.list('watchdog', 'watchdogs', GenericDeviceView);
  }
  get memballoon(): GenericDeviceView | undefined {
    return this.list('memballoon', 'memballoon', GenericDeviceView)[0];
  }
  get rngs(): GenericDeviceView[] {
    return this.list('rng', 'rngs', GenericDeviceView);
  }
  get panics(): GenericDeviceView[] {
    return this.list('panic', 'panics', GenericDeviceView);
  }
  get shmems(): ShmemView[] {
    return this.list('shmem', 'shmems', ShmemView);
  }
  /** Memory devices (`<memory model='dimm|nvdimm|...'>`). */
  get memories(): MemoryDeviceView[] {
    return this.list('memory', 'memories', MemoryDeviceView);
  }
  get iommu(): GenericDeviceView | undefined {
    return this.list('iommu', 'iommu', GenericDeviceView)[0];
  }
  get vsock(): VsockView | undefined {
    return this.list('vsock', 'vsock', VsockView)[0];
  }
}
