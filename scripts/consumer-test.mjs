#!/usr/bin/env node
// The packages as a user gets them: `pnpm pack` every published package, check each tarball
// (size, files, manifest), install the tarballs together into fresh projects outside the
// workspace with npm (--ignore-scripts, as npm 11 blocks dependencies' scripts) and with pnpm
// (default settings: pnpm 10 blocks them), then in each project: one program per package from
// ESM and from CommonJS (scripts/consumer/programs.mjs) on every Node given, the CLIs from
// node_modules/.bin, and a TypeScript file checked against the published types
// (moduleResolution node16, ESM and CommonJS, and bundler). Needs built packages (`pnpm build`).
//
//   node scripts/consumer-test.mjs                   Node 20 (this node) only
//   node scripts/consumer-test.mjs --node24          also run the programs and CLIs on Node 24
//   node scripts/consumer-test.mjs --keep            keep the temporary projects
// Native packages ship linux-x64 and linux-arm64 prebuilds: their programs also run on an arm64
// Node under qemu-user (scripts/node-arm64.mjs), which proves the arm64 binaries load. Outside
// CI a package built without the arm64 cross compiler may lack linux-arm64 (the summary says
// so); under CI=true that fails.
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { ensureArm64Node } from './node-arm64.mjs';
import { ensureNode24 } from './node24.mjs';
import { log, ROOT } from './setup.mjs';

/** A packed package above this is a regression worth a look (the largest is ~300 KB). */
const TARBALL_BUDGET_BYTES = 512 * 1024;
/** Where a native package's prebuilds must be: every arch it ships (and CI builds). */
const PREBUILT_ARCHES = ['x64', 'arm64'];
/** The workspace-only export condition (points at src/, which is not shipped). */
const SOURCE_CONDITION = '@multiverse-os/source';
const CONSUMER_DIR = join(ROOT, 'scripts', 'consumer');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

const args = new Set(process.argv.slice(2));
const keep = args.has('--keep');
const nodes = [{ label: `Node ${process.versions.node}`, binary: process.execPath }];
if (args.has('--node24')) {
  const binary = ensureNode24();
  const version = spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout.trim();
  nodes.push({ label: `Node ${version.slice(1)}`, binary });
}

const work = mkdtempSync(join(tmpdir(), 'mv-consumer-'));
const results = [];
/** Lines for the summary about what was not checked, and why. */
const notChecked = [];

function record(name, ok, detail = '') {
  results.push({ name, ok, detail });
  process.stderr.write(`  ${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? `: ${detail}` : ''}\n`);
}

function check(name, run) {
  const started = Date.now();
  const took = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  try {
    const detail = run();
    record(name, true, typeof detail === 'string' ? `${detail} (${took()})` : took());
  } catch (error) {
    record(name, false, error instanceof Error ? error.message : String(error));
  }
}

/**
 * The environment of a plain shell: no npm_config_* / npm_* variables that `npm test` or
 * `pnpm run` put there (they would change how the package managers below behave).
 */
function userEnv(extraPath) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_|pnpm_|NPM_CONFIG_|PNPM_)/i.test(key) || key === 'INIT_CWD') continue;
    env[key] = value;
  }
  if (extraPath) env.PATH = `${extraPath}${delimiter}${env.PATH ?? ''}`;
  return env;
}

function run(command, commandArgs, options = {}) {
  const result = spawnSync(command, commandArgs, {
    encoding: 'utf8',
    env: userEnv(),
    timeout: 180_000,
    maxBuffer: 64 * 1024 * 1024,
    ...options,
  });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.error || result.status !== 0) {
    const why = result.error ? result.error.message : `exit status ${result.status}`;
    throw new Error(`${command} ${commandArgs.join(' ')} failed (${why})\n${output.trim()}`);
  }
  return output;
}

function kib(bytes) {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}

// 1. Pack every published package.
function publishedPackages() {
  const dir = join(ROOT, 'packages');
  return readdirSync(dir)
    .map((name) => join(dir, name))
    .filter((path) => existsSync(join(path, 'package.json')))
    .map((path) => ({
      path,
      manifest: JSON.parse(readFileSync(join(path, 'package.json'), 'utf8')),
    }))
    .filter(({ manifest }) => !manifest.private);
}

const tarballDir = join(work, 'tarballs');
mkdirSync(tarballDir);
const packages = [];
for (const { path, manifest } of publishedPackages()) {
  const tarball = join(
    tarballDir,
    `${manifest.name.replace(/^@/, '').replace('/', '-')}-${manifest.version}.tgz`,
  );
  check(`pack ${manifest.name}`, () => {
    run('pnpm', ['pack', '--pack-destination', tarballDir], { cwd: path, env: process.env });
    if (!existsSync(tarball)) throw new Error(`pnpm pack wrote no ${tarball}`);
  });
  if (existsSync(tarball)) packages.push({ name: manifest.name, source: manifest, tarball });
}

// 2. What is in each tarball, and what its manifest says.
function exportTargets(value, out = []) {
  if (typeof value === 'string') out.push(value);
  else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === SOURCE_CONDITION) out.push(`(condition ${SOURCE_CONDITION})`);
      exportTargets(inner, out);
    }
  }
  return out;
}

/** Files no user needs: sources, tests, benchmarks, build trees, editor and VCS debris. */
const UNWANTED = [
  /^src\//,
  /(^|\/)(test|tests|__tests__|bench|coverage|\.tsbuild)\//,
  /\.(test|spec|bench)\.[cm]?[jt]sx?$/,
  /(^|\/)tsconfig(\..+)?\.json$/,
  /(^|\/)tsup\.config\./,
  /^build\//,
  /\.tsbuildinfo$/,
  /(?<!\.d)\.[cm]?ts$/, // TypeScript sources (declaration files are wanted)
];

for (const pkg of packages) {
  check(`tarball ${pkg.name}`, () => {
    const files = run('tar', ['-tzf', pkg.tarball])
      .split('\n')
      .filter(Boolean)
      .map((line) => line.replace(/^package\//, ''));
    const manifestText = run('tar', ['-xzOf', pkg.tarball, 'package/package.json']);
    const manifest = JSON.parse(manifestText);
    pkg.manifest = manifest;
    const unpacked = Number(run('sh', ['-c', `tar -xzOf "${pkg.tarball}" | wc -c`]).trim());
    const size = statSync(pkg.tarball).size;
    const problems = [];
    if (manifestText.includes('workspace:')) problems.push('a workspace: specifier');
    const targets = [
      ...exportTargets(manifest.exports),
      manifest.main,
      manifest.module,
      manifest.types,
      ...Object.values(manifest.bin ?? {}),
    ].filter(Boolean);
    for (const target of targets) {
      if (target.startsWith('(condition')) {
        problems.push(`exports keep the workspace-only ${SOURCE_CONDITION} condition`);
        continue;
      }
      const file = target.replace(/^\.\//, '');
      if (!files.includes(file)) problems.push(`${target} (named by the manifest) is not packed`);
    }
    for (const file of files) {
      if (UNWANTED.some((pattern) => pattern.test(file))) problems.push(`${file} is packed`);
    }
    if (!files.includes('LICENSE')) problems.push('no LICENSE');
    if (!manifest.license) problems.push('no license field');
    if (!manifest.engines?.node) problems.push('no engines.node');
    if (manifest.sideEffects === undefined) problems.push('no sideEffects field');
    for (const bin of Object.values(manifest.bin ?? {})) {
      const head = run('tar', ['-xzOf', pkg.tarball, `package/${bin.replace(/^\.\//, '')}`]);
      if (!head.startsWith('#!/usr/bin/env node')) problems.push(`${bin} has no node shebang`);
    }
    if (manifest.gypfile || files.includes('binding.gyp')) {
      pkg.arches = PREBUILT_ARCHES.filter((arch) =>
        files.some((file) => file.startsWith(`prebuilds/linux-${arch}/`) && file.endsWith('.node')),
      );
      for (const arch of PREBUILT_ARCHES.filter((a) => !pkg.arches.includes(a))) {
        // Only the arm64 cross build may be missing, and only outside CI (see scripts/native-addon.mjs).
        if (arch === 'x64' || process.env.CI === 'true') {
          problems.push(`a native addon without prebuilds/linux-${arch}/*.node`);
        } else {
          notChecked.push(`${pkg.name}: no linux-${arch} prebuild packed (no cross compiler)`);
        }
      }
    }
    if (size > TARBALL_BUDGET_BYTES) {
      problems.push(`${kib(size)} packed, over the ${kib(TARBALL_BUDGET_BYTES)} budget`);
    }
    if (problems.length > 0) throw new Error(problems.join('; '));
    return `${kib(size)} packed, ${kib(unpacked)} unpacked, ${files.length} files`;
  });
}

// 3. Fresh projects outside the workspace, one per package manager, every tarball at once so
// the packages' dependencies on each other resolve to the tarballs (they are not published).
const catalog = join(work, 'catalog');
cpSync(join(ROOT, 'examples', 'formulas'), catalog, { recursive: true });
const tarballs = packages.map((pkg) => pkg.tarball);

function makeProject(manager) {
  const dir = join(work, manager);
  mkdirSync(dir);
  cpSync(join(CONSUMER_DIR, 'project'), dir, { recursive: true });
  const check = readFileSync(join(dir, 'check.ts'));
  writeFileSync(join(dir, 'check.mts'), check);
  writeFileSync(join(dir, 'check.cts'), check);
  const manifest = { name: `mv-consumer-${manager}`, version: '0.0.0', private: true };
  if (manager === 'pnpm') {
    // pnpm resolves a tarball's dependencies from the registry: point ours at the tarballs.
    manifest.pnpm = {
      overrides: Object.fromEntries(packages.map((pkg) => [pkg.name, `file:${pkg.tarball}`])),
    };
  }
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return dir;
}

const installs = {
  npm: [
    'npm',
    ['install', '--ignore-scripts', '--no-audit', '--no-fund', ...tarballs, '@types/node@^20'],
  ],
  pnpm: ['pnpm', ['add', ...tarballs, '@types/node@^20']],
};

const projects = [];
for (const [manager, [command, commandArgs]] of Object.entries(installs)) {
  const dir = makeProject(manager);
  check(`${manager}: install the tarballs (install scripts blocked)`, () => {
    run(command, commandArgs, { cwd: dir });
    // The native packages must work from their prebuilds: no install script ran, nothing built.
    for (const pkg of packages.filter((p) => p.manifest?.gypfile)) {
      const installed = join(dir, 'node_modules', ...pkg.name.split('/'));
      if (existsSync(join(installed, 'build'))) {
        throw new Error(`${installed}/build exists: an install script compiled the addon`);
      }
    }
  });
  if (existsSync(join(dir, 'node_modules', '@multiverse-os'))) projects.push({ manager, dir });
}

// 4. Programs (ESM and CommonJS) and CLIs on every Node; types once per project.
const programsFile = join(CONSUMER_DIR, 'programs.mjs');
const arm64ProgramsFile = join(CONSUMER_DIR, 'arm64-programs.mjs');
/** [command, args] of the arm64 Node, or why there is none: found once, on first use. */
let arm64Node;
function arm64NodeCommand() {
  if (arm64Node === undefined) {
    try {
      arm64Node = ensureArm64Node();
    } catch (error) {
      arm64Node = error instanceof Error ? error : new Error(String(error));
    }
  }
  if (arm64Node instanceof Error) throw arm64Node;
  return arm64Node;
}
for (const { manager, dir } of projects) {
  for (const node of nodes) {
    const env = userEnv(dirname(node.binary));
    for (const pkg of packages) {
      for (const runner of ['run.mjs', 'run.cjs']) {
        const format = runner === 'run.mjs' ? 'ESM' : 'CommonJS';
        check(`${manager}, ${node.label}: ${pkg.name} from ${format}`, () => {
          run(node.binary, [runner, pkg.name, programsFile, catalog], {
            cwd: dir,
            env,
            timeout: 90_000,
          });
        });
      }
    }
    for (const pkg of packages) {
      for (const bin of Object.keys(pkg.manifest?.bin ?? {})) {
        check(`${manager}, ${node.label}: ${bin} --help`, () => {
          const output = run(join(dir, 'node_modules', '.bin', bin), ['--help'], { cwd: dir, env });
          if (!/usage/i.test(output)) throw new Error(`no usage text:\n${output}`);
        });
      }
    }
  }
  // The arm64 prebuilds, loaded by node-gyp-build on an arm64 Node (qemu-user on x64), each
  // addon called, not only loaded (arm64-programs.mjs). In the npm project only: the layouts
  // are checked above, and a qemu run costs 2 s or more.
  const arm64Packages = manager === 'npm' ? packages : [];
  for (const pkg of arm64Packages.filter((p) => p.arches?.includes('arm64'))) {
    for (const runner of ['run.mjs', 'run.cjs']) {
      const format = runner === 'run.mjs' ? 'ESM' : 'CommonJS';
      check(`${manager}, arm64 Node: ${pkg.name} from ${format}`, () => {
        const [command, prefix] = arm64NodeCommand();
        return run(command, [...prefix, runner, pkg.name, arm64ProgramsFile, catalog], {
          cwd: dir,
          timeout: 90_000,
        }).trim();
      });
    }
  }
  for (const config of ['tsconfig.node16.json', 'tsconfig.bundler.json']) {
    // One run checks every declaration file too (skipLibCheck off, ~20 s): node16 in pnpm's
    // strict layout, where a type our .d.ts files take from an undeclared package fails. The
    // others skip the libraries' own checks, as most projects do; under bundler resolution
    // serialport 13's declarations do not resolve its sub-packages' types (upstream).
    const strict = manager === 'pnpm' && config === 'tsconfig.node16.json';
    check(`${manager}: types (${config}${strict ? ', declarations checked' : ''})`, () => {
      run(process.execPath, [TSC, '-p', config, ...(strict ? [] : ['--skipLibCheck'])], {
        cwd: dir,
      });
    });
  }
}

const failed = results.filter((result) => !result.ok);
process.stderr.write(
  `\nconsumer test: ${results.length - failed.length} passed, ${failed.length} failed (${work})\n`,
);
for (const line of notChecked) process.stderr.write(`  --   NOT checked: ${line}\n`);
if (failed.length === 0 && !keep) rmSync(work, { recursive: true, force: true });
else log(`the consumer projects are kept in ${work}`);
process.exit(failed.length === 0 && packages.length > 0 ? 0 : 1);
