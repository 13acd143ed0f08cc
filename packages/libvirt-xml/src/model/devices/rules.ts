import { InvalidValueError } from '../../errors.js';
import type { XmlElement } from '../../xml/tree.js';
import { attrOf } from '../view.js';

/**
 * The rules libvirt (or QEMU through libvirt) applies across the devices of one domain: what
 * must be unique, and what may appear only once. Builders call `checkNewDevice` before a device
 * goes into `<devices>`, so the call that would make a document libvirt refuses is the one that
 * throws, naming the field of the new device and the device it collides with.
 *
 * Each rule was checked against libvirt 9.0 (`virsh -c test:///default define`) or, where the
 * test driver does not apply it, against the QEMU driver's own check (noted per rule).
 */

/** `<devices>` child name -> the typed list that holds it (`devices.disks[0]`). */
export const DEVICE_LIST_KEYS: Readonly<Record<string, string>> = {
  disk: 'disks',
  controller: 'controllers',
  filesystem: 'filesystems',
  interface: 'interfaces',
  smartcard: 'smartcards',
  serial: 'serials',
  parallel: 'parallels',
  console: 'consoles',
  channel: 'channels',
  input: 'inputs',
  tpm: 'tpms',
  graphics: 'graphics',
  sound: 'sounds',
  video: 'videos',
  hostdev: 'hostdevs',
  redirdev: 'redirdevs',
  watchdog: 'watchdogs',
  memballoon: 'memballoon',
  rng: 'rngs',
  panic: 'panics',
  shmem: 'shmems',
  memory: 'memories',
  iommu: 'iommu',
  vsock: 'vsock',
};

/** Devices libvirt 9.0 accepts at most once per domain ("only a single ... is supported"). */
const SINGLETONS = ['vsock', 'iommu', 'memballoon', 'watchdog'];

/** Fields that identify an address, per address type (absent fields count as 0, as in libvirt). */
const ADDRESS_FIELDS: Readonly<Record<string, readonly string[]>> = {
  pci: ['domain', 'bus', 'slot', 'function'],
  drive: ['controller', 'bus', 'target', 'unit'],
  'virtio-serial': ['controller', 'bus', 'port'],
  ccw: ['cssid', 'ssid', 'devno'],
  usb: ['bus', 'port'],
};

/** The path of an existing device, `devices.disks[1]`, for messages. */
export function devicePath(devices: XmlElement, device: XmlElement): string {
  let index = 0;
  for (const node of devices.children) {
    if (node === device) break;
    if (node.kind === 'element' && node.name === device.name) index++;
  }
  return `devices.${DEVICE_LIST_KEYS[device.name] ?? device.name}[${index}]`;
}

/**
 * Throws when adding `added` (whose path will be `path`) to `devices` makes a domain libvirt
 * refuses. `at` is where it goes among `devices.children` (the end for a new device; a setter
 * checking a device in place gives its index), for the rules that depend on order.
 */
export function checkNewDevice(
  devices: XmlElement,
  added: XmlElement,
  path: string,
  at = devices.children.length,
): void {
  const existing = devices.children.filter(
    (n): n is XmlElement => n.kind === 'element' && n !== added,
  );
  const same = existing.filter((e) => e.name === added.name);
  const clash = (field: string, value: unknown, other: XmlElement, why: string): never => {
    throw new InvalidValueError(
      field === '' ? path : `${path}.${field}`,
      value,
      `${why} (already used by ${devicePath(devices, other)})`,
    );
  };

  if (SINGLETONS.includes(added.name) && same[0]) {
    clash('', `<${added.name}>`, same[0], `libvirt accepts only one <${added.name}> device`);
  }
  checkAddress(existing, added, clash);
  checkAlias(existing, added, clash);
  checkBootOrder(existing, added, clash);

  switch (added.name) {
    case 'disk': {
      const target = childAttr(added, 'target', 'dev');
      const other = same.find(
        (e) => target !== undefined && childAttr(e, 'target', 'dev') === target,
      );
      if (other) clash('target', target, other, 'libvirt refuses two disks with one target');
      break;
    }
    case 'interface': {
      const mac = childAttr(added, 'mac', 'address')?.toLowerCase();
      const other = same.find(
        (e) => mac !== undefined && childAttr(e, 'mac', 'address')?.toLowerCase() === mac,
      );
      // libvirt itself accepts this, but two NICs with one MAC break ARP and DHCP in the guest.
      if (other) clash('mac', mac, other, 'two interfaces cannot share a MAC address');
      break;
    }
    case 'serial': {
      const port = childAttr(added, 'target', 'port');
      const other = same.find((e) => port !== undefined && childAttr(e, 'target', 'port') === port);
      if (other) clash('port', Number(port), other, 'libvirt refuses two serial ports on one port');
      break;
    }
    case 'console': {
      // libvirt: "Only the first console can be a serial port".
      const first = same.find((e) => devices.children.indexOf(e) < at);
      if (childAttr(added, 'target', 'type') === 'serial' && first) {
        clash('target', 'serial', first, 'only the first console can be a serial console');
      }
      break;
    }
    case 'channel': {
      // QEMU: two virtio-serial ports cannot have the same name.
      const name = childAttr(added, 'target', 'name');
      const other = same.find((e) => name !== undefined && childAttr(e, 'target', 'name') === name);
      if (other) clash('name', name, other, 'two channels cannot share a port name');
      break;
    }
    case 'filesystem': {
      // QEMU driver: a mount tag names one export.
      const dir = childAttr(added, 'target', 'dir');
      const other = same.find((e) => dir !== undefined && childAttr(e, 'target', 'dir') === dir);
      if (other) clash('target', dir, other, 'two filesystems cannot share a mount tag');
      break;
    }
    case 'graphics': {
      // QEMU driver: "only 1 graphics device of each type (sdl, vnc, spice, dbus) is supported".
      const type = attrOf(added, 'type');
      const other = same.find((e) => attrOf(e, 'type') === type);
      if (other) clash('type', type, other, `libvirt accepts one ${type} graphics device`);
      break;
    }
    case 'tpm': {
      // QEMU driver: "only a single TPM non-proxy device is supported".
      const proxy = (e: XmlElement) => attrOf(e, 'model') === 'spapr-tpm-proxy';
      const other = same.find((e) => !proxy(e));
      if (!proxy(added) && other) clash('', '<tpm>', other, 'libvirt accepts one TPM');
      break;
    }
    case 'controller': {
      const type = attrOf(added, 'type');
      const index = attrOf(added, 'index');
      const other = same.find(
        (e) =>
          index !== undefined &&
          attrOf(e, 'type') === type &&
          numberKey(attrOf(e, 'index')) === numberKey(index),
      );
      if (other)
        clash(
          'index',
          Number(index),
          other,
          `libvirt refuses two ${type} controllers with one index`,
        );
      break;
    }
    case 'hostdev': {
      const source = firstElement(added, 'source');
      const key = source && `${attrOf(added, 'type')}:${canonical(source)}`;
      const other = same.find((e) => {
        const s = firstElement(e, 'source');
        return (
          key !== undefined && s !== undefined && `${attrOf(e, 'type')}:${canonical(s)}` === key
        );
      });
      if (other) clash('source', key, other, 'libvirt refuses the same host device twice');
      break;
    }
  }
}

type Clash = (field: string, value: unknown, other: XmlElement, why: string) => never;

function checkAddress(existing: XmlElement[], added: XmlElement, clash: Clash): void {
  const key = addressKey(added);
  if (key === undefined) return;
  const other = existing.find((e) => addressKey(e) === key);
  if (other) clash('address', key, other, 'libvirt refuses two devices at one address');
}

function checkAlias(existing: XmlElement[], added: XmlElement, clash: Clash): void {
  const alias = childAttr(added, 'alias', 'name');
  if (alias === undefined) return;
  const other = existing.find((e) => childAttr(e, 'alias', 'name') === alias);
  if (other) clash('alias', alias, other, 'libvirt refuses a non unique alias');
}

function checkBootOrder(existing: XmlElement[], added: XmlElement, clash: Clash): void {
  const order = childAttr(added, 'boot', 'order');
  if (order === undefined) return;
  const other = existing.find((e) => numberKey(childAttr(e, 'boot', 'order')) === numberKey(order));
  if (other) clash('boot', Number(order), other, 'libvirt refuses one boot order on two devices');
}

/** `pci:0:1:0:0`-style identity of a device's own `<address>`, or undefined when it has none we know. */
export function addressKey(device: XmlElement): string | undefined {
  const address = firstElement(device, 'address');
  if (!address) return undefined;
  const type = attrOf(address, 'type');
  const fields = type === undefined ? undefined : ADDRESS_FIELDS[type];
  if (!fields) return undefined;
  return `${type}:${fields.map((f) => numberKey(attrOf(address, f) ?? '0')).join(':')}`;
}

/** Integers as libvirt reads them (decimal or 0x hex) compare equal whatever their spelling. */
function numberKey(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const text = raw.trim();
  if (/^0x[0-9a-f]+$/i.test(text)) return String(Number.parseInt(text.slice(2), 16));
  if (/^\d+$/.test(text)) return String(Number.parseInt(text, 10));
  return text;
}

/** An element's identity: name, attributes (numbers normalized, order ignored), element children. */
function canonical(element: XmlElement): string {
  const attrs = Object.keys(element.attrs)
    .sort()
    .map((name) => `${name}=${numberKey(attrOf(element, name))}`);
  const kids = element.children.filter((n): n is XmlElement => n.kind === 'element').map(canonical);
  return `${element.name}(${attrs.join(',')})[${kids.join(',')}]`;
}

function firstElement(parent: XmlElement, name: string): XmlElement | undefined {
  for (const node of parent.children)
    if (node.kind === 'element' && node.name === name) return node;
  return undefined;
}

function childAttr(parent: XmlElement, child: string, attr: string): string | undefined {
  const element = firstElement(parent, child);
  return element && attrOf(element, attr);
}
