import { readInt } from '../../checks.js';
import { InvalidValueError } from '../../errors.js';
import { cloneElement, type XmlElement } from '../../xml/tree.js';
import { AddressView, addressElement, type DeviceAddress } from '../address.js';
import { ElementView, el } from '../view.js';
import { checkNewDevice } from './rules.js';

/** libvirt's user aliases: `ua-` then letters, digits, `_` and `-`. */
const USER_ALIAS = /^ua-[A-Za-z0-9_-]+$/;

/** What every device element shares: its `<address>`, `<alias>` and `<boot order>`. */
export class DeviceView extends ElementView {
  /**
   * @param devices The `<devices>` element the device is in (lists pass it), so setters can
   *   refuse values another device already has (address, alias, MAC).
   */
  constructor(
    element: XmlElement,
    path: string,
    attach?: () => void,
    readonly devices?: XmlElement,
  ) {
    super(element, path, attach);
  }

  /**
   * Runs libvirt's cross-device rules as if this device were added again with `change`
   * applied to a copy; the device itself is left alone when the change is refused.
   */
  protected checkAgainstOthers(change: (copy: ElementView) => void): void {
    if (!this.devices) return;
    const copy = new ElementView(cloneElement(this.element), this.path);
    change(copy);
    // The device is checked in place: the others keep their indexes before it.
    const at = this.devices.children.indexOf(this.element);
    const children = this.devices.children.map((n) => (n === this.element ? copy.element : n));
    checkNewDevice({ ...this.devices, children }, copy.element, this.path, at);
  }
  /** The device element's own `type` attribute (disk type, interface type, ...). */
  get type(): string | undefined {
    return this.attr('type');
  }

  get address(): AddressView | undefined {
    const element = this.child('address');
    return element && new AddressView(element, `${this.path}.address`);
  }

  /** Replaces the `<address>` (checked; errors name `<path>.address.<field>`). */
  setAddress(address: DeviceAddress | undefined): this {
    const element = address && addressElement(address, `${this.path}.address`);
    if (element) this.checkAgainstOthers((copy) => copy.removeChildren('address').insert(element));
    this.removeChildren('address');
    if (element) this.insert(element);
    return this;
  }

  /** The device's alias; user aliases set here must be `ua-...` and unique in the domain. */
  get alias(): string | undefined {
    return this.childAttr('alias', 'name');
  }
  set alias(value: string | undefined) {
    if (value === undefined) {
      this.removeChildren('alias');
      return;
    }
    if (typeof value !== 'string' || !USER_ALIAS.test(value)) {
      throw new InvalidValueError(
        `${this.path}.alias`,
        value,
        "libvirt takes user aliases of the form 'ua-' followed by letters, digits, '_' or '-'",
      );
    }
    this.checkAgainstOthers((copy) =>
      copy.removeChildren('alias').insert(el('alias', { name: value })),
    );
    this.setChildAttr('alias', 'name', value);
  }

  get bootOrder(): number | undefined {
    return readInt(`${this.path}.bootOrder`, this.childAttr('boot', 'order'));
  }
}
