#!/usr/bin/env node
// The package's build step for the native addon: prebuildify compiles one N-API binary
// (prebuilds/<platform>-<arch>/@multiverse-os+fsat.glibc.node) that Node 20, 22 and 24 all
// load, and `pnpm pack` ships it, so users need neither a compiler nor install scripts.
//   node scripts/prebuild.mjs              this machine's platform and arch
//   node scripts/prebuild.mjs --arch arm64 cross-build (CC/CXX must name the cross compilers)
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { findNodeGyp, localNodeDir, packageDir } from './node-gyp.mjs';

if (process.platform !== 'linux') {
  console.log('@multiverse-os/fsat: not Linux, no prebuild (fsat is Linux only)');
  process.exit(0);
}
const nodeGyp = findNodeGyp();
if (!nodeGyp) {
  console.error('@multiverse-os/fsat: node-gyp not found; install it (npm i -g node-gyp)');
  process.exit(1);
}
const env = { ...process.env };
// prebuildify spawns node-gyp as a command; its bin script's `#!/usr/bin/env node` must find
// this node, not another one on PATH.
env.PREBUILD_NODE_GYP = nodeGyp;
env.PATH = `${dirname(process.execPath)}${delimiter}${env.PATH ?? ''}`;
// Headers beside the node binary: no download from nodejs.org (node-gyp reads npm_config_nodedir).
const nodeDir = localNodeDir();
if (nodeDir) env.npm_config_nodedir = nodeDir;

const prebuildify = createRequire(join(packageDir, 'package.json')).resolve('prebuildify/bin.js');
const result = spawnSync(
  process.execPath,
  [
    prebuildify,
    '--napi',
    '--strip',
    '--tag-libc',
    // The target only names the headers node-gyp uses; N-API makes the binary version-free.
    `--target=${process.versions.node}`,
    ...process.argv.slice(2),
  ],
  { cwd: packageDir, stdio: 'inherit', env },
);
if (result.status !== 0) process.exit(result.status ?? 1);

// prebuildify moves node-gyp's output into prebuilds/; the workspace's tests and examples copy
// build/Release/fsat.node into guests, so it stays there too (same binary, never packed).
const arch = process.argv.includes('--arch')
  ? process.argv[process.argv.indexOf('--arch') + 1]
  : process.arch;
if (arch === process.arch) {
  const prebuild = join(packageDir, 'prebuilds', `linux-${arch}`, '@multiverse-os+fsat.glibc.node');
  mkdirSync(join(packageDir, 'build', 'Release'), { recursive: true });
  copyFileSync(prebuild, join(packageDir, 'build', 'Release', 'fsat.node'));
}
