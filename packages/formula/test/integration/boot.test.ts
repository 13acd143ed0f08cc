import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildInitramfs } from '@multiverse-os/image';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  hostFolders,
  type QemuCommand,
  resolveFormulaFile,
  toFstab,
  toQemuArgs,
} from '../../src/index.js';

const formulaFile = join(import.meta.dirname, '..', 'fixtures', 'tiny-guest.yaml');

/** Waits until `check` holds, polling; throws with `what` after `timeout` ms. */
async function until(what: () => string, check: () => boolean, timeout: number): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function connectUnix(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

describe('a formula boots under QEMU from toQemuArgs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mv-formula-boot-'));
  const home = join(dir, 'home');
  const runDir = join(dir, 'run');
  let qemu: ChildProcess | undefined;
  let command: QemuCommand;
  let transcript = '';
  let stderr = '';

  beforeAll(async () => {
    mkdirSync(runDir, { recursive: true });
    const formula = resolveFormulaFile(formulaFile);
    // The default portal share lives under the user's home: give it one with a file in it.
    const [portalShare] = hostFolders(formula, { home });
    if (portalShare === undefined) throw new Error('the test formula shares no folder');
    mkdirSync(portalShare.source, { recursive: true });
    writeFileSync(join(portalShare.source, 'hello.txt'), 'hello from the host\n');

    const initramfs = await buildInitramfs({
      modules: ['9p', '9pnet_virtio', 'virtio_console'],
      files: [{ path: '/etc/fstab', content: toFstab(formula, { home }) }],
      init: [
        'mkdir -p /mnt/multiverse-portal',
        'mount -a',
        'cat /mnt/multiverse-portal/hello.txt',
        'echo "guest wrote this" > /mnt/multiverse-portal/from-guest.txt',
        'ls /dev/virtio-ports/ /sys/class/virtio-ports/ 2>/dev/null | tr "\\n" " "; echo',
        'echo "mv-formula: test done"',
      ].join('\n'),
      after: 'poweroff',
    });
    command = toQemuArgs(formula, {
      runDir,
      home,
      kernel: initramfs.kernel.image,
      initrd: initramfs.path,
    });
    expect(command.prepare).toEqual([]);
    qemu = spawn(command.binary, command.args, { stdio: ['ignore', 'ignore', 'pipe'] });
    qemu.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    let spawnError: Error | undefined;
    qemu.once('error', (error) => {
      spawnError = error;
    });
    await until(
      () => `QEMU's console socket (${stderr})`,
      () =>
        existsSync(command.consoleSocket) || qemu?.exitCode !== null || spawnError !== undefined,
      30_000,
    );
    if (spawnError) {
      throw new Error(
        `${command.binary} did not start (install Debian's qemu-system-x86): ${spawnError.message}`,
      );
    }
    if (qemu.exitCode !== null) throw new Error(`QEMU exited: ${stderr}`);
    const socket = await connectUnix(command.consoleSocket);
    socket.on('data', (chunk: Buffer) => {
      transcript += chunk.toString();
    });
  });

  afterAll(() => {
    qemu?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers on the QMP socket', async () => {
    const qmp = await connectUnix(command.qmpSocket);
    let replies = '';
    qmp.on('data', (chunk: Buffer) => {
      replies += chunk.toString();
    });
    await until(
      () => 'the QMP greeting',
      () => replies.includes('"QMP"'),
      30_000,
    );
    qmp.write('{"execute":"qmp_capabilities"}\n{"execute":"query-status"}\n');
    await until(
      () => 'query-status',
      () => replies.includes('"status"'),
      30_000,
    );
    expect(replies).toMatch(/"status": ?"(running|prelaunch)"/);
    qmp.destroy();
  });

  it('reaches the console and mounts the portal share from the compiled fstab', async () => {
    await until(
      () => `the guest's init script (console so far:\n${transcript.slice(-2000)})`,
      () => transcript.includes('mv-formula: test done') || qemu?.exitCode !== null,
      170_000,
    );
    expect(transcript).toContain('mv-image: ready');
    expect(transcript).toContain('hello from the host');
    expect(transcript).toContain('org.multiverse-os.test.0');
  });

  it('lets the guest write through the mapped share', async () => {
    const written = join(
      hostFolders(resolveFormulaFile(formulaFile), { home })[0]!.source,
      'from-guest.txt',
    );
    await until(
      () => 'the file the guest wrote',
      () => existsSync(written),
      10_000,
    );
  });
});
