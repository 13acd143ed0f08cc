import { checkAbsolutePath, checkEnum, checkInt, checkMac, checkNonEmpty } from '../../checks.js';
import { InvalidValueError } from '../../errors.js';
import type { XmlElement } from '../../xml/tree.js';
import { addressElement, type DeviceAddress } from '../address.js';
import { el } from '../view.js';
import { DeviceView } from './device.js';

export const DIRECT_MODES = ['vepa', 'bridge', 'private', 'passthrough'] as const;

/** A guest NIC. Give exactly one of `network`, `bridge`, `user`, `direct`, `vhostuser`. */
export interface InterfaceInput {
  /** A libvirt virtual network by name (type `network`). */
  network?: string;
  /** A host bridge (type `bridge`). */
  bridge?: string;
  /** QEMU's user-mode networking (type `user`, no privileges needed). */
  user?: true;
  /** macvtap on a host NIC (type `direct`). */
  direct?: { dev: string; mode?: (typeof DIRECT_MODES)[number] };
  /** A vhost-user backend on a unix socket (type `vhostuser`). */
  vhostuser?: { path: string; mode?: 'client' | 'server' };
  mac?: string;
  /** NIC model, e.g. `virtio`, `e1000e`. */
  model?: string;
  driver?: { name?: 'qemu' | 'vhost'; queues?: number };
  boot?: number;
  link?: 'up' | 'down';
  address?: DeviceAddress;
}

export function interfaceElement(input: InterfaceInput, path: string): XmlElement {
  const kinds = (['network', 'bridge', 'user', 'direct', 'vhostuser'] as const).filter(
    (k) => input[k] !== undefined,
  );
  if (kinds.length !== 1) {
    throw new InvalidValueError(
      path,
      kinds,
      'give exactly one of network, bridge, user, direct, vhostuser',
    );
  }
  const kind = kinds[0] as (typeof kinds)[number];
  let source: XmlElement | undefined;
  if (kind === 'network')
    source = el('source', { network: checkNonEmpty(`${path}.network`, input.network as string) });
  if (kind === 'bridge')
    source = el('source', { bridge: checkNonEmpty(`${path}.bridge`, input.bridge as string) });
  if (kind === 'direct' && input.direct) {
    source = el('source', {
      dev: checkNonEmpty(`${path}.direct.dev`, input.direct.dev),
      mode: checkEnum(`${path}.direct.mode`, input.direct.mode ?? 'vepa', DIRECT_MODES),
    });
  }
  if (kind === 'vhostuser' && input.vhostuser) {
    source = el('source', {
      type: 'unix',
      path: checkAbsolutePath(`${path}.vhostuser.path`, input.vhostuser.path),
      mode: checkEnum(`${path}.vhostuser.mode`, input.vhostuser.mode ?? 'client', [
        'client',
        'server',
      ] as const),
    });
  }
  const model = input.model ?? (kind === 'vhostuser' ? 'virtio' : undefined);
  return el(
    'interface',
    { type: kind },
    input.mac !== undefined && el('mac', { address: checkMac(`${path}.mac`, input.mac) }),
    source,
    model !== undefined && el('model', { type: checkNonEmpty(`${path}.model`, model) }),
    input.driver &&
      el('driver', {
        name: input.driver.name,
        queues:
          input.driver.queues === undefined
            ? undefined
            : checkInt(`${path}.driver.queues`, input.driver.queues, 1, 256),
      }),
    input.link &&
      el('link', { state: checkEnum(`${path}.link`, input.link, ['up', 'down'] as const) }),
    input.boot !== undefined &&
      el('boot', { order: checkInt(`${path}.boot`, input.boot, 1, 65535) }),
    input.address && addressElement(input.address, `${path}.address`),
  );
}

/** An `<interface>`: network, bridge, user, direct, vhostuser, ethernet, hostdev... */
export class InterfaceView extends DeviceView {
  protected static override readonly childOrder: readonly string[] = [
    'mac',
    'source',
    'virtualport',
    'target',
    'guest',
    'model',
    'driver',
    'backend',
    'filterref',
    'tune',
    'bandwidth',
    'link',
    'mtu',
    'boot',
    'rom',
    'alias',
    'address',
  ];

  get mac(): string | undefined {
    return this.childAttr('mac', 'address');
  }
  /** Sets the MAC address (checked; an error names `devices.interfaces[i].mac`). */
  set mac(value: string | undefined) {
    const mac = value === undefined ? undefined : checkMac(`${this.path}.mac`, value);
    if (mac !== undefined)
      this.checkAgainstOthers((copy) => copy.setChildAttr('mac', 'address', mac));
    this.setChildAttr('mac', 'address', mac);
  }
  /** Emulated NIC the guest sees (`virtio`, `e1000e`, `rtl8139`...). */
  get model(): string | undefined {
    return this.childAttr('model', 'type');
  }
  set model(value: string | undefined) {
    this.setChildAttr(
      'model',
      'type',
      value === undefined ? undefined : checkNonEmpty(`${this.path}.model`, value),
    );
  }
  /** The network, bridge, device or socket path the NIC is attached to. */
  get source(): string | undefined {
    return (
      this.childAttr('source', 'network') ??
      this.childAttr('source', 'bridge') ??
      this.childAttr('source', 'dev') ??
      this.childAttr('source', 'path')
    );
  }
  /** Virtual cable state: `up` or `down`. */
  get linkState(): string | undefined {
    return this.childAttr('link', 'state');
  }
  set linkState(value: 'up' | 'down' | undefined) {
    this.setChildAttr(
      'link',
      'state',
      value && checkEnum(`${this.path}.link`, value, ['up', 'down'] as const),
    );
  }
  /** Backend driver: `vhost` (in-kernel virtio) or `qemu` (userspace). */
  get driverName(): string | undefined {
    return this.childAttr('driver', 'name');
  }
}
