import { didYouMean, type SourceDocument } from '@multiverse-os/formula';
import type { PlanIssue } from './errors.js';
import { type Cidr, isHostOf, macForIp, overlaps, parseCidr, parseIpv4 } from './ipv4.js';
import { issueAt } from './issues.js';
import type { NetworkPlanDocument, PlanRouterDocument } from './schema.js';

type Path = readonly PropertyKey[];

/**
 * The rules zod cannot see: names unique, subnets disjoint, addresses inside their subnet,
 * every network served by exactly one router, upstream chains without loops, and no two
 * interfaces sharing an address or a MAC.
 */
export function checkPlan(
  doc: NetworkPlanDocument,
  source: SourceDocument,
  upstreamIpOf: (router: PlanRouterDocument) => string | undefined,
): PlanIssue[] {
  const issues: PlanIssue[] = [];
  const add = (path: Path, message: string, suggestion?: string): void => {
    issues.push(issueAt(source, path, 'rule', message, suggestion));
  };
  const cidrs = doc.networks.map((n) => parseCidr(n.subnet) as Cidr);
  const names = doc.networks.map((n) => n.name);
  const servedBy = new Map<string, string>();
  // Address and MAC owners, to report the second user of each.
  const ips = new Map<string, string>();
  const macs = new Map<string, string>();
  const claim = (ip: string, mac: string, owner: string, ipPath: Path, macPath: Path): void => {
    const ipOwner = ips.get(ip);
    if (ipOwner !== undefined) add(ipPath, `address ${ip} is already used by ${ipOwner}`);
    else ips.set(ip, owner);
    const macOwner = macs.get(mac);
    if (macOwner !== undefined) add(macPath, `MAC ${mac} is already used by ${macOwner}`);
    else macs.set(mac, owner);
  };

  doc.networks.forEach((network, i) => {
    const cidr = cidrs[i] as Cidr;
    if (names.indexOf(network.name) !== i)
      add(['networks', i, 'name'], `network "${network.name}" is declared twice`);
    cidrs.slice(0, i).forEach((other, j) => {
      if (overlaps(cidr, other))
        add(
          ['networks', i, 'subnet'],
          `subnet ${network.subnet} overlaps ${doc.networks[j]?.subnet} of ${doc.networks[j]?.name}`,
        );
    });
    const router = parseIpv4(network.router.ip) as number;
    if (!isHostOf(cidr, router))
      add(
        ['networks', i, 'router', 'ip'],
        `router address ${network.router.ip} is not a host address of ${network.subnet}`,
      );
    const mac = network.router.mac ?? macForIp(router);
    claim(
      network.router.ip,
      mac,
      `the router of ${network.name}`,
      ['networks', i, 'router', 'ip'],
      ['networks', i, 'router', network.router.mac ? 'mac' : 'ip'],
    );
    const dhcp = network.dhcp;
    if (dhcp === 'off' || dhcp === false) return;
    const start = parseIpv4(dhcp.start) as number;
    const end = parseIpv4(dhcp.end) as number;
    if (!isHostOf(cidr, start))
      add(
        ['networks', i, 'dhcp', 'start'],
        `${dhcp.start} is not a host address of ${network.subnet}`,
      );
    if (!isHostOf(cidr, end))
      add(['networks', i, 'dhcp', 'end'], `${dhcp.end} is not a host address of ${network.subnet}`);
    if (start > end)
      add(
        ['networks', i, 'dhcp', 'end'],
        `the range ends (${dhcp.end}) before it starts (${dhcp.start})`,
      );
    if (router >= start && router <= end)
      add(
        ['networks', i, 'dhcp'],
        `the range ${dhcp.start}-${dhcp.end} holds the router address ${network.router.ip}; start it after`,
      );
  });

  const routerNames = doc.routers.map((r) => r.name);
  doc.routers.forEach((router, i) => {
    if (routerNames.indexOf(router.name) !== i)
      add(['routers', i, 'name'], `router "${router.name}" is declared twice`);
    router.serves.forEach((name, k) => {
      if (!names.includes(name)) {
        add(
          ['routers', i, 'serves', k],
          `no network "${name}" in the plan`,
          didYouMean(name, names),
        );
        return;
      }
      const other = servedBy.get(name);
      if (other !== undefined)
        add(['routers', i, 'serves', k], `network "${name}" is already served by ${other}`);
      else servedBy.set(name, router.name);
    });
    if (router.upstream !== undefined && router.uplink !== undefined)
      add(['routers', i, 'uplink'], 'a router has an upstream network or an uplink, not both');
  });

  doc.networks.forEach((network, i) => {
    if (!servedBy.has(network.name))
      add(
        ['networks', i, 'name'],
        `no router serves network "${network.name}" (list it under some router's serves)`,
      );
  });

  doc.routers.forEach((router, i) => {
    if (router.upstream === undefined) return;
    const at = ['routers', i, 'upstream'] as const;
    const index = names.indexOf(router.upstream);
    if (index < 0) {
      add(at, `no network "${router.upstream}" in the plan`, didYouMean(router.upstream, names));
      return;
    }
    // Follow upstream links; coming back to this router means a loop.
    const seen = new Set([router.name]);
    for (let network = router.upstream; ; ) {
      const owner = doc.routers.find((r) => r.serves.includes(network));
      if (owner === undefined || owner.upstream === undefined) break;
      if (seen.has(owner.name)) {
        add(
          at,
          `upstream networks loop back to ${owner.name}: ${[...seen, owner.name].join(' -> ')}`,
        );
        break;
      }
      seen.add(owner.name);
      network = owner.upstream;
    }
    const network = doc.networks[index];
    const cidr = cidrs[index] as Cidr;
    const ip = upstreamIpOf(router);
    const ipPath = router.upstreamIp === undefined ? at : (['routers', i, 'upstreamIp'] as const);
    if (ip === undefined || !isHostOf(cidr, parseIpv4(ip) as number)) {
      add(
        ipPath,
        `upstream address ${ip ?? '(none left)'} is not a host address of ${network?.subnet}`,
      );
      return;
    }
    claim(
      ip,
      macForIp(parseIpv4(ip) as number),
      `${router.name} on ${router.upstream}`,
      ipPath,
      ipPath,
    );
  });
  return issues.sort((a, b) => a.line - b.line || a.column - b.column);
}
