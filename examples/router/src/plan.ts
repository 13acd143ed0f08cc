import { readFileSync } from 'node:fs';
import { parseFormulaYaml, type SourceDocument } from '@multiverse-os/formula';
import { type PlanIssue, PlanNotFoundError, PlanValidationError } from './errors.js';
import { type Cidr, formatIpv4, isHostOf, macForIp, parseCidr, parseIpv4 } from './ipv4.js';
import { toPlanIssues } from './issues.js';
import { checkPlan } from './plan-checks.js';
import { NetworkPlanSchema, type PlanNetworkDocument, type PlanRouterDocument } from './schema.js';

/** A network of the plan with everything derived filled in. */
export interface PlanNetwork {
  name: string;
  description?: string;
  subnet: string;
  cidr: Cidr;
  bridge: string;
  isolated: boolean;
  dhcp?: { start: string; end: string; lease: number; dns: string[] };
  /** The router serving it, with its address and MAC on this network. */
  router: { name: string; ip: string; mac: string };
}

/** One NIC of a router guest, in the order the guest sees them (eth0, eth1, ...). */
export interface RouterInterface {
  name: string;
  network: string;
  role: 'upstream' | 'serves';
  ip: string;
  prefix: number;
  mac: string;
}

export interface PlanRoute {
  to: string;
  via: string;
}

/** A router VM: its NICs, routes and which networks it is the gateway of. */
export interface PlanRouter {
  name: string;
  formula: string;
  serves: string[];
  upstream?: { network: string; ip: string; mac: string; gateway: string };
  uplink?: string;
  interfaces: RouterInterface[];
  routes: PlanRoute[];
  /** Routers whose upstream is one of the networks this one serves. */
  children: string[];
  /** Subnet pairs (from, to) this router refuses to forward, both ways for isolated networks. */
  prohibited: Array<{ from: string; to: string }>;
}

export interface NetworkPlan {
  name: string;
  description?: string;
  file: string;
  networks: PlanNetwork[];
  routers: PlanRouter[];
}

/** The subnets a router's subtree holds: what it serves and what its children hold. */
function subtreeSubnets(router: PlanRouterDocument, doc: Docs): string[] {
  const out: string[] = [];
  const walk = (r: PlanRouterDocument, seen: Set<string>): void => {
    if (seen.has(r.name)) return;
    seen.add(r.name);
    for (const name of r.serves) {
      const network = doc.networks.get(name);
      if (network) out.push(network.subnet);
      for (const child of doc.routers.filter((c) => c.upstream === name)) walk(child, seen);
    }
  };
  walk(router, new Set());
  return out;
}

interface Docs {
  networks: Map<string, PlanNetworkDocument>;
  routers: PlanRouterDocument[];
}

/** The default upstream address: the upstream subnet's 10th address, then 11th, ... */
export function upstreamIp(router: PlanRouterDocument, docs: Docs): string | undefined {
  if (router.upstream === undefined) return undefined;
  if (router.upstreamIp !== undefined) return router.upstreamIp;
  const network = docs.networks.get(router.upstream);
  const cidr = network && parseCidr(network.subnet);
  if (!cidr) return undefined;
  const siblings = docs.routers.filter((r) => r.upstream === router.upstream);
  const candidate = cidr.base + 10 + siblings.indexOf(router);
  return isHostOf(cidr, candidate) ? formatIpv4(candidate) : undefined;
}

function resolveRouter(router: PlanRouterDocument, docs: Docs): PlanRouter {
  const interfaces: RouterInterface[] = [];
  let upstream: PlanRouter['upstream'];
  if (router.upstream !== undefined) {
    const network = docs.networks.get(router.upstream) as PlanNetworkDocument;
    const cidr = parseCidr(network.subnet) as Cidr;
    const ip = upstreamIp(router, docs) as string;
    const mac = macForIp(parseIpv4(ip) as number);
    upstream = { network: network.name, ip, mac, gateway: network.router.ip };
    interfaces.push({
      name: 'eth0',
      network: network.name,
      role: 'upstream',
      ip,
      mac,
      prefix: cidr.prefix,
    });
  }
  for (const name of router.serves) {
    const network = docs.networks.get(name) as PlanNetworkDocument;
    const ip = network.router.ip;
    const mac = network.router.mac ?? macForIp(parseIpv4(ip) as number);
    const prefix = (parseCidr(network.subnet) as Cidr).prefix;
    interfaces.push({
      name: `eth${interfaces.length}`,
      network: name,
      role: 'serves',
      ip,
      mac,
      prefix,
    });
  }
  const children = docs.routers.filter(
    (c) => c.upstream !== undefined && router.serves.includes(c.upstream),
  );
  const routes = children.flatMap((child) =>
    subtreeSubnets(child, docs).map((to) => ({ to, via: upstreamIp(child, docs) as string })),
  );
  const allSubnets = [...docs.networks.values()].map((n) => n.subnet);
  const prohibited: PlanRouter['prohibited'] = [];
  for (const name of router.serves) {
    const network = docs.networks.get(name) as PlanNetworkDocument;
    if (!network.isolated) continue;
    const inside = [
      network.subnet,
      ...children.filter((c) => c.upstream === name).flatMap((c) => subtreeSubnets(c, docs)),
    ];
    for (const from of inside) {
      for (const to of allSubnets.filter((s) => !inside.includes(s))) {
        prohibited.push({ from, to }, { from: to, to: from });
      }
    }
  }
  return {
    name: router.name,
    formula: router.formula,
    serves: [...router.serves],
    ...(upstream === undefined ? {} : { upstream }),
    ...(router.uplink === undefined ? {} : { uplink: router.uplink }),
    interfaces,
    routes,
    children: children.map((c) => c.name),
    prohibited,
  };
}

/**
 * Parses and validates a network plan (YAML), reporting every problem at once with its line
 * and column, then derives what the plan leaves out: MACs (00:00:10 + the address's last
 * three octets), upstream addresses, routes and forwarding rules.
 */
export function parsePlan(text: string, file = '<plan>'): NetworkPlan {
  const parsed = parseFormulaYaml(text, { file });
  if (!parsed.ok) throw new PlanValidationError(parsed.issues);
  const source: SourceDocument = parsed.source;
  const result = NetworkPlanSchema.safeParse(source.value);
  if (!result.success) throw new PlanValidationError(toPlanIssues(result.error.issues, source));
  const doc = result.data;
  const docs: Docs = {
    networks: new Map(doc.networks.map((n) => [n.name, n])),
    routers: doc.routers,
  };
  const issues: PlanIssue[] = checkPlan(doc, source, (r) => upstreamIp(r, docs));
  if (issues.length > 0) throw new PlanValidationError(issues);
  const servedBy = new Map(doc.routers.flatMap((r) => r.serves.map((s) => [s, r.name] as const)));
  const networks = doc.networks.map((n): PlanNetwork => {
    const ip = n.router.ip;
    return {
      name: n.name,
      ...(n.description === undefined ? {} : { description: n.description }),
      subnet: n.subnet,
      cidr: parseCidr(n.subnet) as Cidr,
      bridge: n.bridge ?? `mv-${n.name}`,
      isolated: n.isolated,
      ...(n.dhcp === 'off' || n.dhcp === false ? {} : { dhcp: { ...n.dhcp } }),
      router: {
        name: servedBy.get(n.name) as string,
        ip,
        mac: n.router.mac ?? macForIp(parseIpv4(ip) as number),
      },
    };
  });
  return {
    name: doc.name,
    ...(doc.description === undefined ? {} : { description: doc.description }),
    file,
    networks,
    routers: doc.routers.map((r) => resolveRouter(r, docs)),
  };
}

export function readPlan(file: string): NetworkPlan {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new PlanNotFoundError(file, { cause: error });
  }
  return parsePlan(text, file);
}
