#!/usr/bin/env node
// `pnpm bench [package...]`: runs the `bench` script of every package that has one (or of the
// packages named, e.g. `pnpm bench p9`), collects what they report into bench/results.json and
// prints a table. Each benchmark measures its baseline or peer in the same run, so `ratio` is
// meaningful on any machine; `goal` and `pass` state the target from the package's issue.
//
// Contract for a package's `bench` script: append one JSON object per line to the file named
// by MULTIVERSE_BENCH_RESULTS (scripts/bench-result.mjs does it), with BENCH_RESULT_FIELDS.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_RESULT_FIELDS } from './bench-result.mjs';
import { log, ROOT, setup } from './setup.mjs';

setup();
const wanted = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
const packages = ['packages', 'examples']
  .flatMap((group) => {
    const dir = join(ROOT, group);
    return existsSync(dir) ? readdirSync(dir).map((name) => ({ name, dir: join(dir, name) })) : [];
  })
  .filter(({ dir }) => existsSync(join(dir, 'package.json')))
  .map(({ name, dir }) => ({
    name,
    dir,
    manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')),
  }))
  .filter(({ manifest }) => manifest.scripts?.bench)
  .filter(
    ({ name, manifest }) =>
      wanted.length === 0 || wanted.includes(name) || wanted.includes(manifest.name),
  );

if (wanted.length > 0 && packages.length < wanted.length) {
  log(
    `no bench script in: ${wanted.filter((w) => !packages.some((p) => p.name === w || p.manifest.name === w)).join(', ')}`,
  );
  process.exit(2);
}

mkdirSync(join(ROOT, 'bench'), { recursive: true });
const raw = join(ROOT, 'bench', 'results.jsonl');
rmSync(raw, { force: true });
let failures = 0;
for (const { manifest, dir } of packages) {
  log(`bench ${manifest.name}`);
  const result = spawnSync('pnpm', ['run', 'bench'], {
    cwd: dir,
    stdio: 'inherit',
    env: { ...process.env, MULTIVERSE_BENCH_RESULTS: raw },
  });
  if (result.status !== 0) {
    failures += 1;
    log(`bench ${manifest.name} FAILED`);
  }
}

const results = existsSync(raw)
  ? readFileSync(raw, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line))
  : [];
for (const entry of results) {
  const missing = BENCH_RESULT_FIELDS.filter((field) => !(field in entry));
  if (missing.length)
    log(`${entry.package ?? '?'} ${entry.metric ?? '?'}: missing ${missing.join(', ')}`);
}
writeFileSync(join(ROOT, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
rmSync(raw, { force: true });

const rows = results.map((r) => [
  r.package,
  r.metric,
  `${Number(r.value).toPrecision(4)} ${r.unit}`,
  `${Number(r.baseline).toPrecision(4)} (${r.baselineName})`,
  Number(r.ratio).toFixed(3),
  String(r.goal),
  r.pass ? 'pass' : 'FAIL',
]);
const header = ['package', 'metric', 'value', 'baseline', 'ratio', 'goal', ''];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
const line = (cells) => cells.map((cell, i) => cell.padEnd(widths[i])).join('  ');
process.stdout.write(`${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
for (const row of rows) process.stdout.write(`${line(row)}\n`);
process.stdout.write(`\n${results.length} figures written to bench/results.json\n`);
process.exit(failures > 0 ? 1 : 0);
