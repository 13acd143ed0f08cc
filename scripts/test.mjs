#!/usr/bin/env node
// The one command that proves the repo: set-up, lint, type-check, build, package checks
// (publint, are-the-types-wrong, the consumer test of the packed packages), unit tests on
// Node 20 and Node 24, integration tests (real QEMU guests) on Node 20. Every step runs even
// after a failure, so one run reports everything; the exit status is non-zero if any failed.
//
//   pnpm test                 everything
//   pnpm test -- --unit       only the unit tests (Node 20 and 24)
//   pnpm test -- --integration only the integration tests
//   pnpm test -- --conformance only the conformance tier
//
// The conformance tier reads external corpora (QEMU's QAPI sources, libvirt's test data)
// from ../shared beside the repository (or $MULTIVERSE_SHARED_DIR). Where they are missing
// it is not run, and the summary says so and why; under CI=true a missing corpus fails.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureNode24 } from './node24.mjs';
import { log, ROOT, setup } from './setup.mjs';
import { missingCorpora, sharedDir } from './shared-corpus.mjs';

const args = new Set(process.argv.slice(2));
const onlyUnit = args.has('--unit');
const onlyIntegration = args.has('--integration');
const onlyConformance = args.has('--conformance');
const everything = !onlyUnit && !onlyIntegration && !onlyConformance;

const reports = join(ROOT, '.cache', 'test-reports');
rmSync(reports, { recursive: true, force: true });
mkdirSync(reports, { recursive: true });

const results = [];

function step(name, command, commandArgs, options = {}) {
  log(`${name}: ${[command, ...commandArgs].join(' ')}`);
  const started = Date.now();
  const result = spawnSync(command, commandArgs, { stdio: 'inherit', cwd: ROOT, ...options });
  const ok = !result.error && result.status === 0;
  results.push({ name, ok, seconds: (Date.now() - started) / 1000 });
  if (!ok) log(`${name} FAILED${result.error ? `: ${result.error.message}` : ''}`);
  return ok;
}

function vitest(name, project, node = process.execPath) {
  const report = join(reports, `${name.replace(/\W+/g, '-')}.json`);
  step(name, node, [
    join(ROOT, 'node_modules', 'vitest', 'vitest.mjs'),
    'run',
    '--project',
    project,
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
  ]);
  return report;
}

function packageDirs() {
  return ['packages', 'examples'].flatMap((group) => {
    const dir = join(ROOT, group);
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .map((name) => join(dir, name))
      .filter((path) => existsSync(join(path, 'package.json')));
  });
}

try {
  setup();
} catch (error) {
  log(`set-up failed: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}

const testReports = [];
if (everything) {
  step('lint', 'pnpm', ['exec', 'biome', 'ci', '.']);
  step('typecheck', 'pnpm', ['exec', 'tsc', '-b']);
  step('import cycles', process.execPath, [join(ROOT, 'scripts', 'check-cycles.mjs')]);
  const built = step('build', 'pnpm', ['-r', 'run', 'build']);
  if (built) {
    for (const dir of packageDirs()) {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      if (manifest.private) continue;
      step(`publint ${manifest.name}`, 'pnpm', ['exec', 'publint', '--strict', dir]);
      // Types as each resolution mode sees them (ESM and CJS importers, bundlers). node10
      // resolution, which ignores `exports` subpaths, is out: the SDK needs Node >= 20.19.
      step(`types of ${manifest.name} (are-the-types-wrong)`, 'pnpm', [
        'exec',
        'attw',
        '--pack',
        dir,
        '--profile',
        'node16',
        '--format',
        'table-flipped',
      ]);
    }
    // The packed packages installed into fresh npm and pnpm projects (install scripts blocked),
    // used from ESM, CommonJS, TypeScript and their CLIs on Node 20 and Node 24.
    step('consumer test (packed packages, npm and pnpm, Node 20 and 24)', process.execPath, [
      join(ROOT, 'scripts', 'consumer-test.mjs'),
      '--node24',
    ]);
  }
}
if (everything || onlyUnit) {
  testReports.push(vitest('unit tests (Node 20)', 'unit'));
  let node24;
  try {
    node24 = ensureNode24();
  } catch (error) {
    results.push({ name: 'install Node 24', ok: false, seconds: 0 });
    log(`Node 24 unavailable: ${error instanceof Error ? error.message : error}`);
  }
  if (node24) testReports.push(vitest('unit tests (Node 24)', 'unit', node24));
}
if (everything || onlyIntegration) {
  testReports.push(vitest('integration tests (Node 20)', 'integration'));
}
/** Lines for the summary about tiers that did not run, and why. */
const notRun = [];
if (everything || onlyConformance) {
  const missing = missingCorpora();
  if (missing.length === 0) {
    testReports.push(vitest('conformance tier (Node 20)', 'conformance'));
  } else {
    const why = `not found in ${sharedDir()}: ${missing.map((m) => `${m.path} (${m.what})`).join(', ')}`;
    if (process.env.CI === 'true') {
      results.push({ name: `conformance tier: corpora ${why}`, ok: false, seconds: 0 });
    } else {
      notRun.push(
        `conformance tier NOT run: corpora ${why}; put ../shared beside the repository or set MULTIVERSE_SHARED_DIR`,
      );
    }
  }
}

let passed = 0;
let failed = 0;
let skipped = 0;
for (const report of testReports) {
  if (!existsSync(report)) {
    failed += 1; // the runner died before writing its report: count the run as a failure
    continue;
  }
  const json = JSON.parse(readFileSync(report, 'utf8'));
  passed += json.numPassedTests;
  failed += json.numFailedTests;
  skipped += json.numPendingTests + json.numTodoTests;
}

process.stderr.write('\nSummary\n');
for (const { name, ok, seconds } of results) {
  process.stderr.write(`  ${ok ? 'ok  ' : 'FAIL'} ${name} (${seconds.toFixed(1)} s)\n`);
}
for (const line of notRun) process.stderr.write(`  --   ${line}\n`);
const allOk = results.every((r) => r.ok) && failed === 0;
// The plain closing line CI reads: tests counted over every vitest run above.
process.stdout.write(
  `\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`,
);
process.exit(allOk ? 0 : 1);
