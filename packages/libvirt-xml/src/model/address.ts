import { checkInt, formatHex, readInt } from '../checks.js';
import { InvalidValueError } from '../errors.js';
import type { XmlElement } from '../xml/tree.js';
import { ElementView, el } from './view.js';

/** A PCI address: domain 0-0xffff, bus 0-0xff, slot 0-0x1f, function 0-7. */
export interface PciAddress {
  type: 'pci';
  domain?: number;
  bus: number;
  slot: number;
  function?: number;
  multifunction?: boolean;
}
/** A disk's place on an IDE/SATA/SCSI/FDC controller. */
export interface DriveAddress {
  type: 'drive';
  controller?: number;
  bus?: number;
  target?: number;
  unit: number;
}
export interface VirtioSerialAddress {
  type: 'virtio-serial';
  controller?: number;
  bus?: number;
  port: number;
}
/** USB bus number and hub port path such as `1` or `1.2`. */
export interface UsbAddress {
  type: 'usb';
  bus: number;
  port: string;
}
/** s390 channel I/O: cssid 0-0xfe, ssid 0-3, devno 0-0xffff. */
export interface CcwAddress {
  type: 'ccw';
  cssid: number;
  ssid: number;
  devno: number;
}
export type DeviceAddress =
  | PciAddress
  | DriveAddress
  | VirtioSerialAddress
  | UsbAddress
  | CcwAddress;

/** Parses `0000:01:00.0` or `01:00.0` into a PCI address. */
export function parsePciAddress(text: string, path = 'address'): PciAddress {
  const m = /^(?:([0-9a-fA-F]{1,4}):)?([0-9a-fA-F]{1,2}):([0-9a-fA-F]{1,2})\.([0-7])$/.exec(text);
  if (!m) throw new InvalidValueError(path, text, 'expected a PCI address like 0000:01:00.0');
  return {
    type: 'pci',
    domain: Number.parseInt(m[1] ?? '0', 16),
    bus: Number.parseInt(m[2] as string, 16),
    slot: Number.parseInt(m[3] as string, 16),
    function: Number.parseInt(m[4] as string, 16),
  };
}

/** Checks an address and builds its `<address>` element. */
export function addressElement(address: DeviceAddress, path: string, name = 'address'): XmlElement {
  switch (address.type) {
    case 'pci':
      return el(name, {
        type: 'pci',
        domain: formatHex(checkInt(`${path}.domain`, address.domain ?? 0, 0, 0xffff), 4),
        bus: formatHex(checkInt(`${path}.bus`, address.bus, 0, 0xff), 2),
        slot: formatHex(checkInt(`${path}.slot`, address.slot, 0, 0x1f), 2),
        function: formatHex(checkInt(`${path}.function`, address.function ?? 0, 0, 7), 1),
        multifunction:
          address.multifunction === undefined ? undefined : address.multifunction ? 'on' : 'off',
      });
    case 'drive':
      return el(name, {
        type: 'drive',
        controller: checkInt(`${path}.controller`, address.controller ?? 0, 0, 0xffff),
        bus: checkInt(`${path}.bus`, address.bus ?? 0, 0, 0xffff),
        target: checkInt(`${path}.target`, address.target ?? 0, 0, 0xffff),
        unit: checkInt(`${path}.unit`, address.unit, 0, 0xffff),
      });
    case 'virtio-serial':
      return el(name, {
        type: 'virtio-serial',
        controller: checkInt(`${path}.controller`, address.controller ?? 0, 0, 0xffff),
        bus: checkInt(`${path}.bus`, address.bus ?? 0, 0, 0xffff),
        port: checkInt(`${path}.port`, address.port, 0, 0xffff),
      });
    case 'usb':
      if (!/^\d+(\.\d+){0,4}$/.test(address.port)) {
        throw new InvalidValueError(
          `${path}.port`,
          address.port,
          'expected a USB port path like 1 or 1.2',
        );
      }
      return el(name, {
        type: 'usb',
        bus: checkInt(`${path}.bus`, address.bus, 0, 0xffff),
        port: address.port,
      });
    case 'ccw':
      return el(name, {
        type: 'ccw',
        cssid: formatHex(checkInt(`${path}.cssid`, address.cssid, 0, 0xfe), 2),
        ssid: formatHex(checkInt(`${path}.ssid`, address.ssid, 0, 3), 1),
        devno: formatHex(checkInt(`${path}.devno`, address.devno, 0, 0xffff), 4),
      });
    default:
      throw new InvalidValueError(
        `${path}.type`,
        (address as { type: unknown }).type,
        'unknown address type',
      );
  }
}

/** Reads an `<address>` element; unknown types come back as their attributes only. */
export class AddressView extends ElementView {
  get type(): string | undefined {
    return this.attr('type');
  }

  /** The address as a typed value, or undefined for types this model does not describe. */
  get value(): DeviceAddress | undefined {
    const n = (name: string) => readInt(`${this.path}.${name}`, this.attr(name)) ?? 0;
    switch (this.type) {
      case 'pci': {
        const multifunction = this.attr('multifunction');
        return {
          type: 'pci',
          domain: n('domain'),
          bus: n('bus'),
          slot: n('slot'),
          function: n('function'),
          ...(multifunction === undefined ? {} : { multifunction: multifunction === 'on' }),
        };
      }
      case 'drive':
        return {
          type: 'drive',
          controller: n('controller'),
          bus: n('bus'),
          target: n('target'),
          unit: n('unit'),
        };
      case 'virtio-serial':
        return {
          type: 'virtio-serial',
          controller: n('controller'),
          bus: n('bus'),
          port: n('port'),
        };
      case 'usb':
        return { type: 'usb', bus: n('bus'), port: this.attr('port') ?? '' };
      case 'ccw':
        return { type: 'ccw', cssid: n('cssid'), ssid: n('ssid'), devno: n('devno') };
      default:
        return undefined;
    }
  }
}
