#!/usr/bin/env node
// The package's `install` script: a fallback that never fails the install. The npm package
// ships prebuilt N-API binaries (prebuilds/<platform>-<arch>/), and package managers that block
// install scripts (pnpm 10, npm 11) never run this. When it does run: if a prebuild or a local
// build loads, nothing to do; otherwise try node-gyp; if that fails, say so and exit 0 (the
// package still imports, and its first call throws FsatAddonError naming the platform).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { findNodeGyp, localNodeDir, nodeGypCommand, packageDir } from './node-gyp.mjs';

const name = '@multiverse-os/fsat';
const target = `${process.platform}-${process.arch}`;

if (process.platform !== 'linux') {
  console.log(`${name}: Linux only (openat2, statx); no native addon for ${target}`);
  process.exit(0);
}

const require = createRequire(join(packageDir, 'package.json'));

function loads() {
  try {
    require(require('node-gyp-build').path(packageDir));
    return true;
  } catch {
    return false;
  }
}

function note(why) {
  console.warn(
    `${name}: no prebuilt native addon loads on ${target} and ${why}.\n` +
      `${name}: the package imports, and its first call throws FsatAddonError until the addon ` +
      `is built (install a C compiler, make and python3, then run "npm rebuild ${name}").`,
  );
  process.exit(0);
}

if (loads()) process.exit(0);

const nodeGyp = findNodeGyp();
if (!nodeGyp) note('node-gyp was not found');
const nodeDir = localNodeDir();
const [command, args] = nodeGypCommand(nodeGyp, [
  'rebuild',
  ...(nodeDir ? [`--nodedir=${nodeDir}`] : []),
]);
const result = spawnSync(command, args, { cwd: packageDir, stdio: 'inherit' });
if (result.error || result.status !== 0 || !loads()) note('building it with node-gyp failed');
