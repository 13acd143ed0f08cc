import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A bare `-machine none` QEMU with a QMP Unix socket, for engine tests. */
export interface BareQemu {
  socket: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export const QEMU_BINARY = 'qemu-system-x86_64';

/** Throws (never skips) when QEMU is not installed. */
export function requireQemu(): void {
  const probe = spawnSync(QEMU_BINARY, ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      `${QEMU_BINARY} is required for the qmp integration tests (apt-get install qemu-system-x86)`,
    );
  }
}

export function startBareQemu(extraArgs: string[] = []): BareQemu {
  requireQemu();
  const dir = mkdtempSync(join(tmpdir(), 'mv-qmp-'));
  const socket = join(dir, 'qmp.sock');
  const child = spawn(
    QEMU_BINARY,
    [
      '-machine',
      'none',
      '-nodefaults',
      '-display',
      'none',
      '-qmp',
      `unix:${socket},server=on,wait=off`,
      ...extraArgs,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    socket,
    process: child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
