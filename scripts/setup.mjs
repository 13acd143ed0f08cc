#!/usr/bin/env node
// Makes a fresh Debian 12 machine ready to build, test and demo the SDK, and does nothing
// when it already is: Debian packages (when running as root), pnpm, the workspace's
// dependencies. `npm test` and `npm run demo` call it first, so a fresh clone needs nothing
// typed before them.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * What the tests and the demo run: QEMU, the guest kernel and busybox, the real peers; what
 * builds OS images (mmdebstrap, mkfs.ext4 -d); and what builds the native packages' linux-arm64
 * prebuilds (the cross compiler) and loads them in the consumer test (an arm64 Node's
 * libraries, qemu-user).
 */
export const DEBIAN_PACKAGES = [
  'qemu-system-x86',
  'qemu-utils',
  'socat',
  'libvirt-clients',
  'libvirt-daemon-system',
  'dnsmasq-base',
  'iptables',
  'libxml2-utils',
  'virtinst',
  'diod',
  'linux-image-amd64',
  'busybox-static',
  'openssl',
  'gcc-aarch64-linux-gnu',
  'libc6-dev-arm64-cross',
  'libstdc++6-arm64-cross',
  'qemu-user-static',
  // @multiverse-os/image builds Debian OS images with mmdebstrap and mkfs.ext4 -d.
  'mmdebstrap',
  'e2fsprogs',
];

/**
 * Installed with their recommended packages, as they were when their tests were written:
 * libvirt's daemon (dmidecode, iproute2, parted, the drivers it probes) and mmdebstrap (uidmap,
 * gpg, arch-test, fakeroot...).
 */
const WITH_RECOMMENDS = new Set(['libvirt-daemon-system', 'mmdebstrap']);

export function log(message) {
  process.stderr.write(`\x1b[1m[setup]\x1b[0m ${message}\n`);
}

export function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: ROOT, ...options });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited with status ${result.status}`);
  }
}

function missingDebianPackages() {
  return DEBIAN_PACKAGES.filter((name) => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a dpkg-query format, not JS
    const result = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
    return result.status !== 0 || !result.stdout.includes('install ok installed');
  });
}

function ensureDebianPackages() {
  if (!existsSync('/usr/bin/dpkg-query')) {
    log(
      'not a Debian system: install QEMU, socat, libvirt-clients, diod, a kernel and busybox yourself',
    );
    return;
  }
  const missing = missingDebianPackages();
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    log(
      `missing Debian packages (tests that need them will fail): sudo apt-get install ${missing.join(' ')}`,
    );
    return;
  }
  log(`installing Debian packages: ${missing.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-qq'], { env });
  const plain = missing.filter((name) => !WITH_RECOMMENDS.has(name));
  const withRecommends = missing.filter((name) => WITH_RECOMMENDS.has(name));
  if (plain.length > 0) {
    run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...plain], { env });
  }
  if (withRecommends.length > 0)
    run('apt-get', ['install', '-y', '-qq', ...withRecommends], { env });
}

function hasPnpm() {
  const result = spawnSync('pnpm', ['--version'], { encoding: 'utf8' });
  return result.status === 0 && result.stdout.startsWith('10.');
}

function ensurePnpm() {
  if (hasPnpm()) return;
  // corepack fails on the build machines; the npm registry's pnpm works everywhere.
  log('installing pnpm 10 (npm i -g pnpm@10)');
  run('npm', ['install', '--global', 'pnpm@10']);
}

function ensureDependencies() {
  const marker = join(ROOT, 'node_modules', '.modules.yaml');
  const lockfile = join(ROOT, 'pnpm-lock.yaml');
  const fresh = existsSync(marker) && statSync(marker).mtimeMs >= statSync(lockfile).mtimeMs;
  if (fresh) return;
  log('installing dependencies (pnpm install --frozen-lockfile)');
  run('pnpm', ['install', '--frozen-lockfile']);
}

export function setup() {
  ensureDebianPackages();
  ensurePnpm();
  ensureDependencies();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    setup();
  } catch (error) {
    log(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}
