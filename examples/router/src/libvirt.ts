import { type Network, network } from '@multiverse-os/libvirt-xml';
import type { PlanNetwork } from './plan.js';

/**
 * The libvirt network of a plan network: an isolated bridge (no `<forward>`) with no host
 * address, since the router guest, not the host, is the gateway and DHCP server: the host
 * stays off the guests' networks.
 */
export function libvirtNetwork(planned: PlanNetwork): Network {
  return network({ name: planned.name, bridge: planned.bridge });
}
