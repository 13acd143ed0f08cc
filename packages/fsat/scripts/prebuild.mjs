#!/usr/bin/env node
// Builds the addon that ships in the npm package: prebuilds/linux-<arch>/, an N-API build
// (one binary for every Node version the package supports), stripped, tagged glibc, loaded
// by node-gyp-build. Runs as part of `build`, so `pnpm pack` after a build carries it.
// Offline friendly: Node's headers come from beside the running node (Debian's nodejs, the
// official tarballs) instead of being downloaded.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
if (process.platform !== 'linux') {
  console.log('@multiverse-os/fsat: not Linux, no prebuild');
  process.exit(0);
}
const env = { ...process.env };
const headers = join(dirname(process.execPath), '..');
if (existsSync(join(headers, 'include/node/node_api.h')) && !env.npm_config_nodedir) {
  env.npm_config_nodedir = headers;
}
const bin = join(packageDir, 'node_modules/.bin');
env.PATH = `${bin}:${env.PATH}`; // prebuildify runs `node-gyp` from PATH
const result = spawnSync('prebuildify', ['--napi', '--strip', '--tag-libc'], {
  cwd: packageDir,
  env,
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
