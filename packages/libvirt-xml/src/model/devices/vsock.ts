import { checkInt, readInt } from '../../checks.js';
import type { XmlElement } from '../../xml/tree.js';
import { el, yesNo } from '../view.js';
import { DeviceView } from './device.js';

/** vsock context ids 0-2 are reserved (hypervisor, local, host); guests get 3 and up. */
export const MIN_GUEST_CID = 3;

export interface VsockInput {
  /** A fixed guest CID (>= 3), or `'auto'` to let libvirt pick a free one. */
  cid: number | 'auto';
}

export function vsockElement(input: VsockInput, path: string): XmlElement {
  const cid =
    input.cid === 'auto'
      ? el('cid', { auto: 'yes' })
      : el('cid', {
          auto: 'no',
          address: checkInt(`${path}.cid`, input.cid, MIN_GUEST_CID, 0xfffffffe),
        });
  return el('vsock', { model: 'virtio' }, cid);
}

/** The `<vsock>` device. */
export class VsockView extends DeviceView {
  get auto(): boolean | undefined {
    return yesNo(`${this.path}.auto`, this.childAttr('cid', 'auto'));
  }
  get cid(): number | undefined {
    return readInt(`${this.path}.cid`, this.childAttr('cid', 'address'));
  }
  set cid(value: number | 'auto') {
    this.removeChildren('cid');
    const fresh = vsockElement({ cid: value }, this.path).children[0] as XmlElement;
    this.insert(fresh);
  }
}
