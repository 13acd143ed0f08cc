import type { RpcCallOptions } from '../connection/connection.js';
import { LibvirtArgumentError } from '../errors.js';
import type {
  RemoteNonnullDomain,
  RemoteNonnullNetwork,
  RemoteNonnullStoragePool,
} from '../generated/remote.js';
import { type ConnectOptions, connectClient, type LibvirtClient } from './client.js';

/** A domain as the daemon names it: name, 16-byte UUID and id (-1 when not running). */
export type DomainRef = RemoteNonnullDomain;
export type NetworkRef = RemoteNonnullNetwork;
export type StoragePoolRef = RemoteNonnullStoragePool;

/** XML as a string, or anything with `toXml()` (`@multiverse-os/libvirt-xml`'s documents). */
export type XmlInput = string | { toXml(): string };

/** `virDomainState`. */
export const DomainState = {
  NOSTATE: 0,
  RUNNING: 1,
  BLOCKED: 2,
  PAUSED: 3,
  SHUTDOWN: 4,
  SHUTOFF: 5,
  CRASHED: 6,
  PMSUSPENDED: 7,
} as const;

const STATE_NAMES = [
  'nostate',
  'running',
  'blocked',
  'paused',
  'shutdown',
  'shutoff',
  'crashed',
  'pmsuspended',
] as const;
export type DomainStateName = (typeof STATE_NAMES)[number];

/** `virConnectListAllDomainsFlags`: the common filters. */
export const ListDomainsFlags = {
  ACTIVE: 1,
  INACTIVE: 2,
  PERSISTENT: 4,
  TRANSIENT: 8,
} as const;

/** The canonical text form of a 16-byte UUID. */
export function formatUuid(uuid: Uint8Array): string {
  const h = Buffer.from(uuid).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The 16 bytes of a UUID written `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (dashes optional). */
export function parseUuid(text: string): Uint8Array {
  const hex = text.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex))
    throw new LibvirtArgumentError('uuid', `"${text}" is not a UUID`);
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

function xmlText(xml: XmlInput, argument: string): string {
  if (typeof xml === 'string') return xml;
  if (xml && typeof xml === 'object' && typeof xml.toXml === 'function') return xml.toXml();
  throw new LibvirtArgumentError(argument, 'expected an XML string or an object with toXml()');
}

function versionNumber(v: bigint): {
  major: number;
  minor: number;
  release: number;
  number: number;
} {
  const n = Number(v);
  return {
    major: Math.floor(n / 1_000_000),
    minor: Math.floor(n / 1000) % 1000,
    release: n % 1000,
    number: n,
  };
}

/**
 * The friendly API: one object per connection with the common operations on domains,
 * networks and storage pools. Everything else is `client.call(name, args)`.
 *
 * ```ts
 * const lv = await Libvirt.connect('qemu:///system');
 * const dom = await lv.defineDomain(xml);
 * await lv.startDomain(dom);
 * ```
 */
export class Libvirt {
  constructor(readonly client: LibvirtClient) {}

  /** Connects to a URI (`qemu:///system`, `qemu:///session`, `qemu+tcp://host/system`). */
  static async connect(uri: string, options?: ConnectOptions): Promise<Libvirt> {
    return new Libvirt(await connectClient(uri, options));
  }

  close(): Promise<void> {
    return this.client.close();
  }

  // --- Host ---------------------------------------------------------------------------------

  /** The hypervisor's version (QEMU 7.2.22 -> { major: 7, minor: 2, release: 22 }). */
  async getVersion(options?: RpcCallOptions) {
    return versionNumber((await this.client.call('connectGetVersion', undefined, options)).hv_ver);
  }

  /** The daemon's libvirt version. */
  async getLibVersion(options?: RpcCallOptions) {
    return versionNumber(
      (await this.client.call('connectGetLibVersion', undefined, options)).lib_ver,
    );
  }

  async getHostname(options?: RpcCallOptions): Promise<string> {
    return (await this.client.call('connectGetHostname', undefined, options)).hostname;
  }

  /** The URI the daemon opened (`qemu:///system`). */
  async getUri(options?: RpcCallOptions): Promise<string> {
    return (await this.client.call('connectGetUri', undefined, options)).uri;
  }

  // --- Domains ------------------------------------------------------------------------------

  /** Every domain (filter with `ListDomainsFlags`). */
  async listDomains(flags = 0, options?: RpcCallOptions): Promise<DomainRef[]> {
    return (await this.client.call('connectListAllDomains', { need_results: 1, flags }, options))
      .domains;
  }

  /** A domain by name or UUID (`LibvirtRemoteError` VIR_ERR_NO_DOMAIN when there is none). */
  async lookupDomain(
    nameOrUuid: string | Uint8Array,
    options?: RpcCallOptions,
  ): Promise<DomainRef> {
    if (nameOrUuid instanceof Uint8Array) {
      return (await this.client.call('domainLookupByUuid', { uuid: nameOrUuid }, options)).dom;
    }
    return (await this.client.call('domainLookupByName', { name: nameOrUuid }, options)).dom;
  }

  /** Defines (or redefines) a persistent domain from XML. */
  async defineDomain(xml: XmlInput, flags = 0, options?: RpcCallOptions): Promise<DomainRef> {
    return (
      await this.client.call('domainDefineXmlFlags', { xml: xmlText(xml, 'xml'), flags }, options)
    ).dom;
  }

  /** Starts a transient domain from XML (gone once it stops). */
  async createDomain(xml: XmlInput, flags = 0, options?: RpcCallOptions): Promise<DomainRef> {
    return (
      await this.client.call('domainCreateXml', { xml_desc: xmlText(xml, 'xml'), flags }, options)
    ).dom;
  }

  /** Removes a defined domain's configuration (`virDomainUndefineFlags`). */
  async undefineDomain(dom: DomainRef, flags = 0, options?: RpcCallOptions): Promise<void> {
    await this.client.call('domainUndefineFlags', { dom, flags }, options);
  }

  /** Starts a defined domain; returns it with its new id. */
  async startDomain(dom: DomainRef, flags = 0, options?: RpcCallOptions): Promise<DomainRef> {
    return (await this.client.call('domainCreateWithFlags', { dom, flags }, options)).dom;
  }

  /** Stops a domain at once (pulls the plug). */
  async destroyDomain(dom: DomainRef, flags = 0, options?: RpcCallOptions): Promise<void> {
    await this.client.call('domainDestroyFlags', { dom, flags }, options);
  }

  /** Asks the guest to shut down (ACPI by default); returns before it has. */
  async shutdownDomain(dom: DomainRef, flags = 0, options?: RpcCallOptions): Promise<void> {
    await this.client.call('domainShutdownFlags', { dom, flags }, options);
  }

  async getDomainXml(dom: DomainRef, flags = 0, options?: RpcCallOptions): Promise<string> {
    return (await this.client.call('domainGetXmlDesc', { dom, flags }, options)).xml;
  }

  /** The domain's state (`running`, `shutoff`, ...) and libvirt's reason code. */
  async getDomainState(
    dom: DomainRef,
    options?: RpcCallOptions,
  ): Promise<{ state: DomainStateName | `unknown(${number})`; code: number; reason: number }> {
    const { state, reason } = await this.client.call('domainGetState', { dom, flags: 0 }, options);
    return { state: STATE_NAMES[state] ?? `unknown(${state})`, code: state, reason };
  }

  // --- Networks -----------------------------------------------------------------------------

  async listNetworks(flags = 0, options?: RpcCallOptions): Promise<NetworkRef[]> {
    return (await this.client.call('connectListAllNetworks', { need_results: 1, flags }, options))
      .nets;
  }

  async lookupNetwork(name: string, options?: RpcCallOptions): Promise<NetworkRef> {
    return (await this.client.call('networkLookupByName', { name }, options)).net;
  }

  async defineNetwork(xml: XmlInput, flags = 0, options?: RpcCallOptions): Promise<NetworkRef> {
    return (
      await this.client.call('networkDefineXmlFlags', { xml: xmlText(xml, 'xml'), flags }, options)
    ).net;
  }

  async startNetwork(net: NetworkRef, options?: RpcCallOptions): Promise<void> {
    await this.client.call('networkCreate', { net }, options);
  }

  async destroyNetwork(net: NetworkRef, options?: RpcCallOptions): Promise<void> {
    await this.client.call('networkDestroy', { net }, options);
  }

  async undefineNetwork(net: NetworkRef, options?: RpcCallOptions): Promise<void> {
    await this.client.call('networkUndefine', { net }, options);
  }

  async isNetworkActive(net: NetworkRef, options?: RpcCallOptions): Promise<boolean> {
    return (await this.client.call('networkIsActive', { net }, options)).active === 1;
  }

  async getNetworkXml(net: NetworkRef, flags = 0, options?: RpcCallOptions): Promise<string> {
    return (await this.client.call('networkGetXmlDesc', { net, flags }, options)).xml;
  }

  // --- Storage pools ------------------------------------------------------------------------

  async listStoragePools(flags = 0, options?: RpcCallOptions): Promise<StoragePoolRef[]> {
    return (
      await this.client.call('connectListAllStoragePools', { need_results: 1, flags }, options)
    ).pools;
  }

  async lookupStoragePool(name: string, options?: RpcCallOptions): Promise<StoragePoolRef> {
    return (await this.client.call('storagePoolLookupByName', { name }, options)).pool;
  }

  async defineStoragePool(
    xml: XmlInput,
    flags = 0,
    options?: RpcCallOptions,
  ): Promise<StoragePoolRef> {
    return (
      await this.client.call('storagePoolDefineXml', { xml: xmlText(xml, 'xml'), flags }, options)
    ).pool;
  }

  async startStoragePool(pool: StoragePoolRef, flags = 0, options?: RpcCallOptions): Promise<void> {
    await this.client.call('storagePoolCreate', { pool, flags }, options);
  }

  async destroyStoragePool(pool: StoragePoolRef, options?: RpcCallOptions): Promise<void> {
    await this.client.call('storagePoolDestroy', { pool }, options);
  }

  async undefineStoragePool(pool: StoragePoolRef, options?: RpcCallOptions): Promise<void> {
    await this.client.call('storagePoolUndefine', { pool }, options);
  }

  async getStoragePoolXml(
    pool: StoragePoolRef,
    flags = 0,
    options?: RpcCallOptions,
  ): Promise<string> {
    return (await this.client.call('storagePoolGetXmlDesc', { pool, flags }, options)).xml;
  }
}
