#!/usr/bin/env node
// Compiles the native addon (build/Release/vsock_native.node) with node-gyp.
// Runs as the package's `install` script and before the tests. Offline friendly: when Node's
// headers are installed beside the node binary (Debian's nodejs, the official tarballs),
// node-gyp is pointed at them instead of downloading them.
// On other platforms it does nothing: the package then imports cleanly and every call throws
// "vsock is only supported on Linux".
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');

if (process.platform !== 'linux') {
  console.log('@multiverse-os/vsock: not Linux, skipping the native addon');
  process.exit(0);
}

/** node-gyp's entry: the package manager's own (npm and pnpm set npm_config_node_gyp), a local one, npm's. */
function findNodeGyp() {
  const fromEnv = process.env.npm_config_node_gyp;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  try {
    return createRequire(join(packageDir, 'package.json')).resolve('node-gyp/bin/node-gyp.js');
  } catch {}
  const prefix = join(dirname(process.execPath), '..');
  for (const candidate of [
    join(prefix, 'lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'),
    join(prefix, 'lib/node_modules/pnpm/dist/node_modules/node-gyp/bin/node-gyp.js'),
  ]) {
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

const nodeGyp = findNodeGyp();
if (!nodeGyp) {
  console.error('@multiverse-os/vsock: node-gyp not found; install it (npm i -g node-gyp)');
  process.exit(1);
}
const args = ['rebuild'];
const headers = join(dirname(process.execPath), '..');
if (existsSync(join(headers, 'include/node/node_api.h')) && !process.env.npm_config_nodedir) {
  args.push(`--nodedir=${headers}`);
}
const command = nodeGyp.endsWith('.js') ? process.execPath : nodeGyp;
const commandArgs = nodeGyp.endsWith('.js') ? [nodeGyp, ...args] : args;
const result = spawnSync(command, commandArgs, { cwd: packageDir, stdio: 'inherit' });
process.exit(result.status ?? 1);
