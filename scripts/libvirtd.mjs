#!/usr/bin/env node
// Starts and stops a real libvirt daemon for tests and CI, as root on a machine with no
// systemd (Debian 12: `apt-get install libvirt-daemon-system dnsmasq-base iptables`, which
// starts no services here). virtlogd must run before libvirtd, or starting a domain fails on
// virtlogd-sock.
//
// Several test files (and processes) may need the daemon at once: each one that acquires it
// leaves a file named after its pid in /run/multiverse-libvirtd/; the daemons are stopped (and
// ip_forward restored) only by the last one to release, and only if this helper started them.
//
//   node scripts/libvirtd.mjs start    start (if needed) and wait until qemu:///system answers
//   node scripts/libvirtd.mjs stop     stop the daemons this helper started
//   node scripts/libvirtd.mjs status   say whether qemu:///system answers
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const LIBVIRTD = '/usr/sbin/libvirtd';
export const VIRTLOGD = '/usr/sbin/virtlogd';
export const SYSTEM_SOCKET = '/var/run/libvirt/libvirt-sock';
const STATE_DIR = '/run/multiverse-libvirtd';
const USERS_DIR = join(STATE_DIR, 'users');
const STARTED_MARKER = join(STATE_DIR, 'started');
const IP_FORWARD = '/proc/sys/net/ipv4/ip_forward';
const PIDFILES = { libvirtd: '/run/libvirtd.pid', virtlogd: '/run/virtlogd.pid' };
const INSTALL_HINT = 'apt-get install -y libvirt-daemon-system dnsmasq-base iptables';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

function pidFrom(file) {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function running(name) {
  const pid = pidFrom(PIDFILES[name]);
  return pid !== undefined && alive(pid) ? pid : undefined;
}

/** True when qemu:///system opens (virsh does the whole handshake, not just connect()). */
export function answers() {
  const result = spawnSync('virsh', ['-q', '-c', 'qemu:///system', 'uri'], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  return result.status === 0 && result.stdout.trim() === 'qemu:///system';
}

function users() {
  if (!existsSync(USERS_DIR)) return [];
  const live = [];
  for (const name of readdirSync(USERS_DIR)) {
    const pid = Number(name);
    if (Number.isInteger(pid) && alive(pid)) live.push(pid);
    else rmSync(join(USERS_DIR, name), { force: true });
  }
  return live;
}

function requireRootAndBinaries() {
  if (process.getuid?.() !== 0) {
    throw new Error('libvirtd helper: the system daemon runs as root; run the tests as root');
  }
  for (const binary of [LIBVIRTD, VIRTLOGD]) {
    if (!existsSync(binary))
      throw new Error(`libvirtd helper: ${binary} is missing: ${INSTALL_HINT}`);
  }
  if (spawnSync('virsh', ['--version']).status !== 0) {
    throw new Error('libvirtd helper: virsh is missing: apt-get install -y libvirt-clients');
  }
}

function run(command, args) {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 30_000 });
  if (result.status !== 0) {
    throw new Error(
      `libvirtd helper: ${command} ${args.join(' ')} failed (status ${result.status}): ${result.stderr || result.error?.message || ''}`.trim(),
    );
  }
}

/**
 * Makes sure qemu:///system answers, starting virtlogd and libvirtd when they are not running,
 * and registers this process as a user. Throws (never skips) naming what is wrong.
 * Returns `{ started, release }`: `release()` stops the daemons when the last user leaves.
 */
export async function acquireLibvirtd({ timeoutMs = 60_000, pid = process.pid } = {}) {
  requireRootAndBinaries();
  mkdirSync(USERS_DIR, { recursive: true });
  writeFileSync(join(USERS_DIR, String(pid)), '');
  let started = false;
  if (!answers()) {
    if (!existsSync(STARTED_MARKER) && existsSync(IP_FORWARD)) {
      writeFileSync(STARTED_MARKER, readFileSync(IP_FORWARD, 'utf8').trim());
    }
    if (!running('virtlogd')) run(VIRTLOGD, ['-d']);
    if (!running('libvirtd')) {
      run(LIBVIRTD, ['-d']);
      started = true;
    }
    const deadline = Date.now() + timeoutMs;
    while (!answers()) {
      if (Date.now() > deadline) {
        await releaseLibvirtd({ pid });
        throw new Error(
          `libvirtd helper: qemu:///system did not answer within ${timeoutMs} ms (libvirtd ${
            running('libvirtd') ? 'is running' : 'is not running'
          }; socket ${SYSTEM_SOCKET} ${existsSync(SYSTEM_SOCKET) ? 'exists' : 'is missing'})`,
        );
      }
      await sleep(250);
    }
  }
  return { started, release: () => releaseLibvirtd({ pid }) };
}

async function stopDaemon(name) {
  const pid = running(name);
  if (pid === undefined) return;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 80 && alive(pid); i++) await sleep(125);
  if (alive(pid)) process.kill(pid, 'SIGKILL');
}

/** Unregisters `pid`; the last user stops the daemons this helper started and restores ip_forward. */
export async function releaseLibvirtd({ pid = process.pid } = {}) {
  rmSync(join(USERS_DIR, String(pid)), { force: true });
  if (users().length > 0 || !existsSync(STARTED_MARKER)) return;
  const ipForward = readFileSync(STARTED_MARKER, 'utf8').trim();
  await stopDaemon('libvirtd');
  await stopDaemon('virtlogd');
  if ((ipForward === '0' || ipForward === '1') && existsSync(IP_FORWARD)) {
    writeFileSync(IP_FORWARD, ipForward);
  }
  rmSync(STARTED_MARKER, { force: true });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const command = process.argv[2];
  try {
    if (command === 'start') {
      // The CLI's "user" is the daemon itself: `stop` releases it.
      const { started } = await acquireLibvirtd({ pid: 1 });
      console.log(`libvirtd: qemu:///system answers${started ? ' (started)' : ''}`);
    } else if (command === 'stop') {
      await releaseLibvirtd({ pid: 1 });
      console.log(
        `libvirtd: ${existsSync(STARTED_MARKER) ? 'still in use' : 'stopped (if this helper started it)'}`,
      );
    } else if (command === 'status') {
      const ok = answers();
      console.log(`libvirtd: qemu:///system ${ok ? 'answers' : 'does not answer'}`);
      process.exitCode = ok ? 0 : 1;
    } else {
      console.error('usage: node scripts/libvirtd.mjs start|stop|status');
      process.exitCode = 2;
    }
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  }
}
