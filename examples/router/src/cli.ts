#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { FormulaError } from '@multiverse-os/formula';
import { emitPlan } from './emit.js';
import { RouterError, UsageError } from './errors.js';
import { formatPlan } from './format.js';
import { readPlan } from './plan.js';

const USAGE = `usage: router PLAN.yaml [--json] [--emit DIR] [--catalog DIR]
  prints the network plan; --emit writes libvirt networks, router formulas and domains,
  and each router guest's configuration under DIR`;

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      emit: { type: 'string' },
      catalog: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const file = positionals[0];
  if (file === undefined || positionals.length > 1) throw new UsageError(USAGE);
  const plan = readPlan(file);
  process.stdout.write(values.json ? `${JSON.stringify(plan, null, 2)}\n` : formatPlan(plan));
  if (values.emit !== undefined) {
    const written = await emitPlan(
      plan,
      values.emit,
      values.catalog === undefined ? {} : { catalog: values.catalog },
    );
    process.stdout.write(`\nwrote ${written.length} files under ${values.emit}\n`);
  }
}

main(process.argv.slice(2).filter((a, i) => !(i === 0 && a === '--'))).catch((error: unknown) => {
  const known = error instanceof RouterError || error instanceof FormulaError;
  process.stderr.write(
    `router: ${known || !(error instanceof Error) ? String((error as Error).message ?? error) : error.stack}\n`,
  );
  process.exitCode = error instanceof UsageError ? 2 : 1;
});
