import type { NetworkPlan } from './plan.js';

/** The plan as a person reads it: networks as a table, then each router. */
export function formatPlan(plan: NetworkPlan): string {
  const rows = [
    ['network', 'subnet', 'DHCP', 'router', 'router MAC', 'router IP', 'isolated'],
    ...plan.networks.map((n) => [
      n.name,
      n.subnet,
      n.dhcp ? `${n.dhcp.start}-${n.dhcp.end.split('.').at(-1)}` : 'off',
      n.router.name,
      n.router.mac,
      n.router.ip,
      n.isolated ? 'yes' : 'no',
    ]),
  ];
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  const table = rows.map((r) =>
    r
      .map((cell, c) => cell.padEnd(widths[c] ?? 0))
      .join('  ')
      .trimEnd(),
  );
  const lines = [`plan ${plan.name} (${plan.file})`, '', ...table, ''];
  for (const router of plan.routers) {
    const place = router.upstream
      ? `upstream ${router.upstream.network} via ${router.upstream.gateway}`
      : router.uplink
        ? `uplink ${router.uplink} (NAT)`
        : 'no upstream';
    lines.push(`router ${router.name} (${router.formula}), ${place}`);
    for (const nic of router.interfaces) {
      lines.push(
        `  ${nic.name}  ${nic.network.padEnd(12)} ${nic.ip}/${nic.prefix}  ${nic.mac}  ${nic.role}`,
      );
    }
    for (const route of router.routes) lines.push(`  route ${route.to} via ${route.via}`);
    if (router.prohibited.length > 0)
      lines.push(`  refuses ${router.prohibited.length / 2} subnet pair(s) (isolation)`);
  }
  return `${lines.join('\n')}\n`;
}
