#!/usr/bin/env node
// The package's install script, and only a fallback: the npm package ships a prebuilt addon
// (prebuilds/linux-<arch>/), which node-gyp-build loads without this script ever running
// (pnpm 10 and npm 11 skip dependencies' install scripts unless approved). When no prebuild
// fits this machine, this compiles one with node-gyp if a compiler is there. It never fails
// the install: without an addon the package still imports, and its first call throws an
// `FsatAddonError` that names the platform and what to do.
//
//   node scripts/install.mjs          install-time fallback (exit 0 whatever happens)
//   node scripts/install.mjs --force  always compile, fail loudly (development)
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const force = process.argv.includes('--force');
const require = createRequire(join(packageDir, 'package.json'));

function note(message) {
  console.log(`@multiverse-os/fsat: ${message}`);
}

function finish(ok, message) {
  if (ok) {
    note(message);
    process.exit(0);
  }
  if (force) {
    console.error(`@multiverse-os/fsat: ${message}`);
    process.exit(1);
  }
  note(`${message}; the package installs anyway and reports this on first use`);
  process.exit(0);
}

if (process.platform !== 'linux') finish(false, `no addon for ${process.platform}: Linux only`);

if (!force) {
  try {
    require('node-gyp-build').path(packageDir);
    process.exit(0); // a prebuild (or an earlier build) fits: nothing to do
  } catch {}
}

/** node-gyp: the package manager's own (npm and pnpm set npm_config_node_gyp), a local one, npm's. */
function findNodeGyp() {
  const fromEnv = process.env.npm_config_node_gyp;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  try {
    return require.resolve('node-gyp/bin/node-gyp.js');
  } catch {}
  const prefix = join(dirname(process.execPath), '..');
  return [
    join(prefix, 'lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'),
    join(prefix, 'lib/node_modules/pnpm/dist/node_modules/node-gyp/bin/node-gyp.js'),
  ].find((candidate) => existsSync(candidate));
}

const nodeGyp = findNodeGyp();
if (!nodeGyp) finish(false, `no prebuilt addon for linux-${process.arch} and node-gyp not found`);
const args = [nodeGyp, 'rebuild'];
// Offline friendly: Node's headers beside the node binary (Debian's nodejs, official tarballs).
const headers = join(dirname(process.execPath), '..');
if (existsSync(join(headers, 'include/node/node_api.h')) && !process.env.npm_config_nodedir) {
  args.push(`--nodedir=${headers}`);
}
const result = spawnSync(process.execPath, args, { cwd: packageDir, stdio: 'inherit' });
finish(result.status === 0, result.status === 0 ? 'addon compiled' : 'compiling the addon failed');
