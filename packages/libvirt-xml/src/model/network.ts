import { checkEnum, checkInt, checkMac, checkNonEmpty, readInt } from '../checks.js';
import { InvalidValueError } from '../errors.js';
import type { ParseXmlOptions } from '../xml/parse.js';
import type { XmlElement } from '../xml/tree.js';
import { joinPath, NamedDocumentView, newDocument, parseRoot } from './document.js';
import { attrOf, ElementView, el } from './view.js';

export const FORWARD_MODES = [
  'nat',
  'route',
  'open',
  'bridge',
  'private',
  'vepa',
  'passthrough',
  'hostdev',
] as const;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function checkIp(path: string, value: string): string {
  if (IPV4.test(value) || (value.includes(':') && /^[0-9a-fA-F:.]+$/.test(value))) return value;
  throw new InvalidValueError(path, value, 'expected an IPv4 or IPv6 address');
}

export interface DhcpHost {
  mac?: string;
  name?: string;
  ip: string;
}

export interface NetworkIpInput {
  address: string;
  /** Prefix length (24) — or give `netmask`. */
  prefix?: number;
  netmask?: string;
  family?: 'ipv4' | 'ipv6';
  dhcp?: { range?: { start: string; end: string }; hosts?: DhcpHost[] };
}

export interface NetworkOptions {
  name: string;
  uuid?: string;
  /** `nat`, `route`, `open`, `bridge`...; omit for an isolated network. */
  forward?: (typeof FORWARD_MODES)[number];
  /** Host bridge device name, e.g. `virbr10`. */
  bridge?: string;
  /** DNS domain handed out by dnsmasq. */
  domain?: string;
  mtu?: number;
  ips?: NetworkIpInput[];
}

function ipElement(input: NetworkIpInput, path: string): XmlElement {
  const family = input.family ?? (input.address.includes(':') ? 'ipv6' : undefined);
  if (input.prefix === undefined && input.netmask === undefined) {
    throw new InvalidValueError(`${path}.prefix`, undefined, 'give prefix or netmask');
  }
  const dhcp = input.dhcp;
  return el(
    'ip',
    {
      family,
      address: checkIp(`${path}.address`, input.address),
      prefix:
        input.prefix === undefined
          ? undefined
          : checkInt(`${path}.prefix`, input.prefix, 0, family === 'ipv6' ? 128 : 32),
      netmask: input.netmask === undefined ? undefined : checkIp(`${path}.netmask`, input.netmask),
    },
    dhcp &&
      el(
        'dhcp',
        {},
        dhcp.range &&
          el('range', {
            start: checkIp(`${path}.dhcp.range.start`, dhcp.range.start),
            end: checkIp(`${path}.dhcp.range.end`, dhcp.range.end),
          }),
        ...(dhcp.hosts ?? []).map((h, i) =>
          el('host', {
            mac: h.mac === undefined ? undefined : checkMac(`${path}.dhcp.hosts[${i}].mac`, h.mac),
            name: h.name,
            ip: checkIp(`${path}.dhcp.hosts[${i}].ip`, h.ip),
          }),
        ),
      ),
  );
}

/** One `<ip>` of a network. */
export class NetworkIpView extends ElementView {
  get address(): string | undefined {
    return this.attr('address');
  }
  get prefix(): number | undefined {
    return readInt(`${this.path}.prefix`, this.attr('prefix'));
  }
  get netmask(): string | undefined {
    return this.attr('netmask');
  }
  get family(): string {
    return this.attr('family') ?? 'ipv4';
  }
  get dhcpRanges(): Array<{ start: string; end: string }> {
    const dhcp = this.child('dhcp');
    if (!dhcp) return [];
    return dhcp.children
      .filter((n): n is XmlElement => n.kind === 'element' && n.name === 'range')
      .map((r) => ({ start: attrOf(r, 'start') ?? '', end: attrOf(r, 'end') ?? '' }));
  }
  /** Static DHCP leases. */
  get dhcpHosts(): DhcpHost[] {
    const dhcp = this.child('dhcp');
    if (!dhcp) return [];
    return dhcp.children
      .filter((n): n is XmlElement => n.kind === 'element' && n.name === 'host')
      .map((h) => {
        const host: DhcpHost = { ip: attrOf(h, 'ip') ?? '' };
        const mac = attrOf(h, 'mac');
        const name = attrOf(h, 'name');
        if (mac !== undefined) host.mac = mac;
        if (name !== undefined) host.name = name;
        return host;
      });
  }
}

/** A libvirt `<network>`: forward mode, bridge, addresses and DHCP. */
export class Network extends NamedDocumentView {
  protected static override readonly childOrder = [
    'name',
    'uuid',
    'title',
    'description',
    'metadata',
    'forward',
    'port',
    'bridge',
    'mtu',
    'mac',
    'domain',
    'dns',
    'bandwidth',
    'vlan',
    'portgroup',
    'ip',
    'route',
    'virtualport',
  ];

  get forwardMode(): string | undefined {
    const forward = this.child('forward');
    return forward && (attrOf(forward, 'mode') ?? 'nat');
  }
  set forwardMode(value: (typeof FORWARD_MODES)[number] | undefined) {
    if (value === undefined) this.removeChildren('forward');
    else this.setChildAttr('forward', 'mode', checkEnum('forward.mode', value, FORWARD_MODES));
  }
  get bridge(): string | undefined {
    return this.childAttr('bridge', 'name');
  }
  set bridge(value: string | undefined) {
    this.setChildAttr(
      'bridge',
      'name',
      value === undefined ? undefined : checkNonEmpty('bridge.name', value),
    );
  }
  /** DNS domain dnsmasq serves (`<domain name>`). */
  get domainName(): string | undefined {
    return this.childAttr('domain', 'name');
  }
  get mtu(): number | undefined {
    return readInt(joinPath(this.path, 'mtu'), this.childAttr('mtu', 'size'));
  }
  /** Names of the `<portgroup>`s guests can pick. */
  get portgroups(): string[] {
    return this.children('portgroup').map((p) => attrOf(p, 'name') ?? '');
  }
  get ips(): NetworkIpView[] {
    return this.children('ip').map((e, i) => new NetworkIpView(e, `ips[${i}]`));
  }
  /** Adds an `<ip>` with optional DHCP range and static hosts. */
  ip(input: NetworkIpInput): this {
    this.insert(ipElement(input, `ips[${this.children('ip').length}]`));
    return this;
  }
}

export function network(options: NetworkOptions): Network {
  const n = new Network(newDocument('network'));
  n.name = options.name;
  if (options.uuid !== undefined) n.uuid = options.uuid;
  if (options.forward !== undefined) n.forwardMode = options.forward;
  if (options.bridge !== undefined) {
    // libvirt only takes stp/delay for networks it runs itself (nat, route, isolated).
    const own =
      options.forward === undefined || options.forward === 'nat' || options.forward === 'route';
    n.insert(
      el('bridge', {
        name: checkNonEmpty('bridge', options.bridge),
        stp: own ? 'on' : undefined,
        delay: own ? 0 : undefined,
      }),
    );
  }
  if (options.mtu !== undefined)
    n.insert(el('mtu', { size: checkInt('mtu', options.mtu, 68, 65535) }));
  if (options.domain !== undefined)
    n.insert(el('domain', { name: checkNonEmpty('domain', options.domain) }));
  for (const ip of options.ips ?? []) n.ip(ip);
  return n;
}

export function parseNetwork(xml: string, options?: ParseXmlOptions): Network {
  return new Network(parseRoot(xml, 'network', options));
}

export function serializeNetwork(value: Network): string {
  return value.toXml();
}
