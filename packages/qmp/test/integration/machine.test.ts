import { closeSync, existsSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { QemuMachineError } from '../../src/errors.js';
import { QemuMachine } from '../../src/machine/index.js';
import { requireQemu } from '../helpers/qemu.js';

const bare = ['-machine', 'none', '-nodefaults', '-display', 'none'];

describe('QemuMachine', () => {
  it('launches, answers QMP, and shuts down via quit, removing its socket', async () => {
    requireQemu();
    const machine = await QemuMachine.launch({ args: bare });
    expect(existsSync(machine.qmpSocket)).toBe(true);
    const status = await machine.client.execute('query-status');
    expect(status.status).toBeTypeOf('string');
    // -machine none has no ACPI: powerdown cannot work, so the launcher must escalate to quit.
    const exit = await machine.shutdown({ powerdownTimeout: 300 });
    expect(exit.via).toBe('quit');
    expect(exit.code).toBe(0);
    expect(existsSync(machine.dir)).toBe(false);
  });

  it('escalates to SIGKILL when QEMU ignores quit (stopped process)', async () => {
    requireQemu();
    const machine = await QemuMachine.launch({ args: bare });
    machine.process.kill('SIGSTOP');
    const exit = await machine.shutdown({ powerdownTimeout: 0, quitTimeout: 300 });
    expect(exit.via).toBe('kill');
    expect(exit.signal).toBe('SIGKILL');
  });

  it('reports bad arguments with QEMU stderr in a typed error', async () => {
    requireQemu();
    const err = await QemuMachine.launch({ args: [...bare, '-no-such-option'] }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(QemuMachineError);
    expect((err as Error).message).toContain('no-such-option');
  });

  it('reports a missing binary with a typed error', async () => {
    const err = await QemuMachine.launch({ binary: 'qemu-system-does-not-exist' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(QemuMachineError);
    expect((err as Error).message).toContain('qemu-system-does-not-exist');
  });

  it('passes fds with -add-fd (the fd passing fallback) and shows them in query-fdsets', async () => {
    requireQemu();
    const dir = mkdtempSync(join(tmpdir(), 'mv-qmp-fd-'));
    const fd = openSync(join(dir, 'disk.img'), 'w+');
    try {
      const machine = await QemuMachine.launch({
        args: bare,
        fds: [{ fd, set: 7, opaque: 'disk' }],
      });
      try {
        const sets = await machine.client.execute('query-fdsets');
        const set = sets.find((s) => s['fdset-id'] === 7);
        expect(set?.fds[0]?.opaque).toBe('disk');
      } finally {
        await machine.shutdown({ powerdownTimeout: 0 });
      }
    } finally {
      closeSync(fd);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
