import { checkInt, readInt } from '../../checks.js';
import { InvalidValueError } from '../../errors.js';
import type { XmlElement } from '../../xml/tree.js';
import { AddressView, addressElement, type PciAddress, parsePciAddress } from '../address.js';
import { attrOf, el, yesNo } from '../view.js';
import { DeviceView } from './device.js';

/** A host PCI or USB device passed to the guest. */
export interface HostdevInput {
  /** Host PCI address, `0000:01:00.0` or typed. */
  pci?: string | Omit<PciAddress, 'type'>;
  /** Host USB device by vendor/product id, or by bus/device number. */
  usb?: { vendor: number; product: number } | { bus: number; device: number };
  /** Let libvirt detach the device from its host driver (default true). */
  managed?: boolean;
  boot?: number;
}

export function hostdevElement(input: HostdevInput, path: string): XmlElement {
  if ((input.pci === undefined) === (input.usb === undefined)) {
    throw new InvalidValueError(path, input, 'give exactly one of pci, usb');
  }
  const managed = input.managed ?? true;
  let source: XmlElement;
  let type: string;
  if (input.pci !== undefined) {
    type = 'pci';
    const pci =
      typeof input.pci === 'string'
        ? parsePciAddress(input.pci, `${path}.pci`)
        : { ...input.pci, type: 'pci' as const };
    // The host-side address carries no type attribute in libvirt's schema.
    const address = addressElement(pci, `${path}.pci`);
    delete address.attrs.type;
    source = el('source', {}, address);
  } else {
    type = 'usb';
    const usb = input.usb as NonNullable<HostdevInput['usb']>;
    source =
      'vendor' in usb
        ? el(
            'source',
            {},
            el('vendor', {
              id: `0x${checkInt(`${path}.usb.vendor`, usb.vendor, 0, 0xffff).toString(16).padStart(4, '0')}`,
            }),
            el('product', {
              id: `0x${checkInt(`${path}.usb.product`, usb.product, 0, 0xffff).toString(16).padStart(4, '0')}`,
            }),
          )
        : el(
            'source',
            {},
            el('address', {
              bus: checkInt(`${path}.usb.bus`, usb.bus, 0, 0xffff),
              device: checkInt(`${path}.usb.device`, usb.device, 0, 0xffff),
            }),
          );
  }
  return el(
    'hostdev',
    { mode: 'subsystem', type, managed },
    source,
    input.boot !== undefined &&
      el('boot', { order: checkInt(`${path}.boot`, input.boot, 1, 65535) }),
  );
}

/** A `<hostdev>` (subsystem pci/usb/scsi/mdev, or capabilities mode). */
export class HostdevView extends DeviceView {
  get mode(): string | undefined {
    return this.attr('mode');
  }
  get managed(): boolean | undefined {
    return yesNo(`${this.path}.managed`, this.attr('managed'));
  }
  /** USB vendor and product ids of a USB hostdev chosen by id. */
  get usbId(): { vendor: number; product: number } | undefined {
    const source = this.child('source');
    const id = (name: string) => {
      const e = source?.children.find(
        (n): n is XmlElement => n.kind === 'element' && n.name === name,
      );
      return readInt(`${this.path}.usbId.${name}`, e && attrOf(e, 'id'));
    };
    const vendor = id('vendor');
    const product = id('product');
    return vendor === undefined || product === undefined ? undefined : { vendor, product };
  }
  /** The host-side address inside `<source>`. */

  get sourceAddress(): AddressView | undefined {
    const source = this.child('source');
    if (!source) return undefined;
    for (const node of source.children) {
      if (node.kind === 'element' && node.name === 'address')
        return new AddressView(node, `${this.path}.source.address`);
    }
    return undefined;
  }
}
