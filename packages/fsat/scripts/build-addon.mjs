#!/usr/bin/env node
// Development build: compiles build/Release/fsat.node with node-gyp (the loader prefers
// it to the shipped prebuild, so a changed native/fsat.c takes effect). Fails loudly.
// The package's npm build step is scripts/prebuild.mjs; users' installs run scripts/install.mjs.
import { spawnSync } from 'node:child_process';
import { findNodeGyp, localNodeDir, nodeGypCommand, packageDir } from './node-gyp.mjs';

if (process.platform !== 'linux') {
  console.log('@multiverse-os/fsat: not Linux, skipping the native addon');
  process.exit(0);
}
const nodeGyp = findNodeGyp();
if (!nodeGyp) {
  console.error('@multiverse-os/fsat: node-gyp not found; install it (npm i -g node-gyp)');
  process.exit(1);
}
const nodeDir = localNodeDir();
const [command, args] = nodeGypCommand(nodeGyp, [
  'rebuild',
  ...(nodeDir ? [`--nodedir=${nodeDir}`] : []),
]);
const result = spawnSync(command, args, { cwd: packageDir, stdio: 'inherit' });
process.exit(result.status ?? 1);
