import { parseNumber } from '../../checks.js';
import { AddressView, addressElement, type DeviceAddress } from '../address.js';
import { ElementView } from '../view.js';

/** What every device element shares: its `<address>`, `<alias>` and `<boot order>`. */
export class DeviceView extends ElementView {
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
    this.removeChildren('address');
    if (address) this.insert(addressElement(address, `${this.path}.address`));
    return this;
  }

  get alias(): string | undefined {
    return this.childAttr('alias', 'name');
  }

  get bootOrder(): number | undefined {
    return parseNumber(this.childAttr('boot', 'order'));
  }
}
