import type { InstallPlan } from './plan.js';

/** The plan as a person reads it. */
export function formatInstallPlan(plan: InstallPlan): string {
  const lines = [`install plan ${plan.name} (storage ${plan.storageRoot})`, '', 'folders:'];
  for (const folder of plan.folders) lines.push(`  ${folder}`);
  lines.push('', 'storage pools:');
  for (const pool of plan.pools) lines.push(`  ${pool.name.padEnd(18)} dir ${pool.path}`);
  lines.push('', 'networks:');
  for (const net of plan.networks) lines.push(`  ${net.name}`);
  lines.push('', 'domains:');
  for (const d of plan.domains) {
    lines.push(
      `  ${d.name.padEnd(18)} ${d.role.padEnd(18)} ${d.category}  networks: ${d.networks.join(', ') || '-'}`,
    );
    for (const line of d.fstab) lines.push(`    fstab: ${line}`);
  }
  lines.push('', 'images:');
  for (const image of plan.images) {
    lines.push(
      `  ${image.exists ? 'present' : 'missing'}  ${image.path}  (${image.usedBy.join(', ')})`,
    );
  }
  return `${lines.join('\n')}\n`;
}

/** The plan as JSON: the same facts, XML documents included. */
export function installPlanJson(plan: InstallPlan): string {
  const { domains, ...rest } = plan;
  return `${JSON.stringify({ ...rest, domains: domains.map(({ formula: _formula, ...d }) => d) }, null, 2)}\n`;
}
