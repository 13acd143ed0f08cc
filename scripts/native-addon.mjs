#!/usr/bin/env node
// The build of a native package's addon (packages/vsock, packages/fsat), run in the package's
// folder. `prebuild`: prebuildify compiles one N-API binary per arch
// (prebuilds/linux-<arch>/@multiverse-os+<name>.glibc.node) that Node 20, 22 and 24 all load,
// and `pnpm pack` ships them, so users need neither a compiler nor install scripts. `build`: a
// development build into build/Release with node-gyp. Users' installs never run this: the
// packages' own scripts/install.mjs is the fallback that ships.
//   node ../../scripts/native-addon.mjs prebuild              this machine's arch, and the
//                                                            other shipped arch (x64, arm64)
//                                                            with Debian's cross compiler
//   node ../../scripts/native-addon.mjs prebuild --arch arm64 that arch only (CC/CXX/LINK may
//                                                            name the compilers)
//   node ../../scripts/native-addon.mjs build                 development build
// Without the cross compiler the other arch is skipped with a note, or fails under CI=true:
// CI must ship every arch.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

// The package being built is the working directory (pnpm runs scripts there). Its own
// scripts/node-gyp.mjs (shipped for the install fallback) finds node-gyp and Node's headers.
const packageDir = process.cwd();
const { findNodeGyp, localNodeDir, nodeGypCommand } = await import(
  pathToFileURL(join(packageDir, 'scripts', 'node-gyp.mjs')).href
);
const NAME = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')).name;
const PREBUILD_FILE = `${NAME.replace('/', '+')}.glibc.node`;
/** The addon's node-gyp target: build/Release/<target>.node. */
const TARGET = JSON.parse(readFileSync(join(packageDir, 'binding.gyp'), 'utf8')).targets[0]
  .target_name;
const command = process.argv[2];
if (command !== 'prebuild' && command !== 'build') {
  console.error('usage: native-addon.mjs prebuild [--arch ARCH] | build   (in the package folder)');
  process.exit(2);
}
/** The arches the npm package ships, and the Debian cross toolchain that builds each elsewhere. */
const CROSS_TOOLCHAINS = {
  x64: { prefix: 'x86_64-linux-gnu-', debian: 'gcc-x86-64-linux-gnu libc6-dev-amd64-cross' },
  arm64: { prefix: 'aarch64-linux-gnu-', debian: 'gcc-aarch64-linux-gnu libc6-dev-arm64-cross' },
};

if (process.platform !== 'linux') {
  console.log(`${NAME}: not Linux, no native addon (Linux only)`);
  process.exit(0);
}
const nodeGyp = findNodeGyp();
if (!nodeGyp) {
  console.error(`${NAME}: node-gyp not found; install it (npm i -g node-gyp)`);
  process.exit(1);
}
if (command === 'build') {
  // Development build: build/Release/<target>.node with node-gyp, which the loader prefers to
  // the shipped prebuild, so a changed native source takes effect. Fails loudly.
  const nodeDir = localNodeDir();
  const [program, args] = nodeGypCommand(nodeGyp, [
    'rebuild',
    ...(nodeDir ? [`--nodedir=${nodeDir}`] : []),
  ]);
  const result = spawnSync(program, args, { cwd: packageDir, stdio: 'inherit' });
  process.exit(result.status ?? 1);
}

const baseEnv = { ...process.env };
// prebuildify spawns node-gyp as a command; its bin script's `#!/usr/bin/env node` must find
// this node, not another one on PATH.
baseEnv.PREBUILD_NODE_GYP = nodeGyp;
baseEnv.PATH = `${dirname(process.execPath)}${delimiter}${baseEnv.PATH ?? ''}`;
// Headers beside the node binary: no download from nodejs.org (node-gyp reads npm_config_nodedir).
// N-API headers are the same for every arch.
const nodeDir = localNodeDir();
if (nodeDir) baseEnv.npm_config_nodedir = nodeDir;
const prebuildify = createRequire(join(packageDir, 'package.json')).resolve('prebuildify/bin.js');

function hasCompiler(command) {
  return spawnSync(command, ['--version'], { stdio: 'ignore' }).status === 0;
}

function prebuild(arch, env) {
  const result = spawnSync(
    process.execPath,
    [
      prebuildify,
      '--napi',
      '--strip',
      '--tag-libc',
      // The target only names the headers node-gyp uses; N-API makes the binary version-free.
      `--target=${process.versions.node}`,
      `--arch=${arch}`,
    ],
    { cwd: packageDir, stdio: 'inherit', env },
  );
  if (result.status !== 0) process.exit(result.status ?? 1);
}

/** The env that cross-compiles for `arch`, or undefined when its compiler is missing. */
function crossEnv(arch) {
  const toolchain = CROSS_TOOLCHAINS[arch];
  if (!toolchain) return undefined;
  const compiler = `${toolchain.prefix}gcc`;
  if (!hasCompiler(compiler)) return undefined;
  return {
    ...baseEnv,
    CC: compiler,
    CXX: compiler,
    LINK: compiler,
    // prebuildify strips with this (the host's strip cannot read another arch's ELF).
    PREBUILD_STRIP_BIN: `${toolchain.prefix}strip`,
  };
}

const archFlag = process.argv.indexOf('--arch');
if (archFlag !== -1) {
  // One arch, as asked; CC/CXX/LINK from the caller's environment win.
  const arch = process.argv[archFlag + 1];
  const env = arch === process.arch || process.env.CC ? baseEnv : crossEnv(arch);
  if (!env) {
    console.error(
      `${NAME}: no cross compiler for linux-${arch} (${CROSS_TOOLCHAINS[arch]?.debian})`,
    );
    process.exit(1);
  }
  prebuild(arch, env);
} else {
  // Other arches first: node-gyp clears build/ each time, and the last build (this machine's)
  // is the one build/ should hold.
  for (const arch of Object.keys(CROSS_TOOLCHAINS).filter((a) => a !== process.arch)) {
    const env = crossEnv(arch);
    if (env) {
      prebuild(arch, env);
      continue;
    }
    const missing = `${CROSS_TOOLCHAINS[arch].prefix}gcc not found (Debian: apt-get install ${CROSS_TOOLCHAINS[arch].debian})`;
    if (process.env.CI === 'true') {
      console.error(`${NAME}: cannot build the linux-${arch} prebuild: ${missing}`);
      process.exit(1);
    }
    // A binary left from an earlier build would be packed although the sources changed.
    rmSync(join(packageDir, 'prebuilds', `linux-${arch}`), { recursive: true, force: true });
    console.warn(
      `${NAME}: linux-${arch} prebuild SKIPPED, the package will not ship it: ${missing}`,
    );
  }
  prebuild(process.arch, baseEnv);
}

// prebuildify moves node-gyp's output into prebuilds/; the workspace's tests and examples copy
// build/Release/<target>.node into guests, so it stays there too (same binary, never packed).
const built = archFlag === -1 ? process.arch : process.argv[archFlag + 1];
if (built === process.arch) {
  const prebuilt = join(packageDir, 'prebuilds', `linux-${built}`, PREBUILD_FILE);
  mkdirSync(join(packageDir, 'build', 'Release'), { recursive: true });
  copyFileSync(prebuilt, join(packageDir, 'build', 'Release', `${TARGET}.node`));
}
