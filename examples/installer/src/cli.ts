#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { FormulaError } from '@multiverse-os/formula';
import { RouterError } from '@multiverse-os-examples/router';
import { applyPlan, destroyPlan } from './apply.js';
import { readHostConfig } from './config.js';
import { runDirect } from './direct.js';
import { InstallerError } from './errors.js';
import { formatInstallPlan, installPlanJson } from './format.js';
import { buildInstallPlan } from './plan.js';
import { InstallerState } from './state.js';
import { VirshSession } from './virsh.js';

const USAGE = `usage: installer HOST.yaml [ACTION...] [--connect URI] [--json] [--direct]
  actions (run in order, in one libvirt session): plan (default), apply, destroy, status
  --connect URI   libvirt URI for apply/destroy/status (test:///default, qemu:///system, qemu+ssh://...)
  --json          print the plan as JSON
  --direct        build tiny images with @multiverse-os/image and start the controllers
                  under QEMU (through @multiverse-os/qmp), then reach its console`;

const ACTIONS = ['plan', 'apply', 'destroy', 'status'] as const;
type Action = (typeof ACTIONS)[number];

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      connect: { type: 'string' },
      json: { type: 'boolean' },
      direct: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const [file, ...rest] = positionals;
  if (file === undefined) throw new InstallerError('USAGE', USAGE);
  const actions = (rest.length === 0 && !values.direct ? ['plan'] : rest) as Action[];
  const unknown = actions.find((a) => !ACTIONS.includes(a));
  if (unknown !== undefined)
    throw new InstallerError('USAGE', `unknown action "${unknown}"\n${USAGE}`);
  const config = readHostConfig(file);
  const plan = buildInstallPlan(config);
  const log = (line: string): void => void process.stdout.write(`${line}\n`);
  if (values.direct) {
    await runDirect(plan, { log });
    return;
  }
  const needsLibvirt = actions.some((a) => a !== 'plan');
  if (needsLibvirt && values.connect === undefined)
    throw new InstallerError('USAGE', `apply, destroy and status need --connect URI\n${USAGE}`);
  const session = needsLibvirt ? await VirshSession.open(values.connect as string) : undefined;
  try {
    const state = session ? InstallerState.load(plan.storageRoot, session.uri) : undefined;
    for (const action of actions) {
      if (action === 'plan') {
        process.stdout.write(values.json ? installPlanJson(plan) : formatInstallPlan(plan));
        continue;
      }
      log(`${action} on ${session?.uri}:`);
      if (action === 'apply')
        await applyPlan(plan, session as VirshSession, state as InstallerState, log);
      if (action === 'destroy')
        await destroyPlan(plan, session as VirshSession, state as InstallerState, log);
      if (action === 'status') {
        for (const command of [
          'pool-list --all --name',
          'net-list --all --name',
          'list --all --name',
        ]) {
          const names = (await (session as VirshSession).must(command))
            .split('\n')
            .map((l) => l.trim());
          const ours = [...plan.pools, ...plan.networks, ...plan.domains]
            .map((o) => o.name)
            .filter((n) => names.includes(n));
          log(`  ${command.split(' ')[0]}: ${ours.join(' ') || '(none)'}`);
        }
      }
    }
  } finally {
    await session?.close();
  }
}

main(process.argv.slice(2).filter((a, i) => !(i === 0 && a === '--'))).catch((error: unknown) => {
  const known =
    error instanceof InstallerError ||
    error instanceof FormulaError ||
    error instanceof RouterError;
  const text =
    error instanceof Error
      ? known
        ? error.message
        : (error.stack ?? error.message)
      : String(error);
  process.stderr.write(`installer: ${text}\n`);
  process.exitCode = error instanceof InstallerError && error.code === 'USAGE' ? 2 : 1;
});
