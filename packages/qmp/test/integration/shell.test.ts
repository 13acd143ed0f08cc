import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QmpClient } from '../../src/client/client.js';
import { type BareQemu, startBareQemu } from '../helpers/qemu.js';

const repoRoot = join(import.meta.dirname, '..', '..', '..', '..');
const cli = join(import.meta.dirname, '..', '..', 'src', 'shell', 'cli.ts');

function runShell(args: string[], input?: string) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], { cwd: repoRoot });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.stdin.end(input ?? '');
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('qmp-shell against real QEMU', () => {
  let qemu: BareQemu;
  const dir = mkdtempSync(join(tmpdir(), 'mv-qmp-shell-'));

  beforeAll(async () => {
    qemu = startBareQemu();
    // Wait for QEMU to listen; the shell connects only after this client leaves.
    const probe = await QmpClient.connect({ path: qemu.socket }, { retry: { timeout: 20_000 } });
    await probe.close();
  });
  afterAll(async () => {
    await qemu?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('--exec runs key=value and raw JSON commands and prints pretty JSON', async () => {
    const r = await runShell([
      qemu.socket,
      '--exec',
      'query-status',
      '--exec',
      '{"execute": "qom-list", "arguments": {"path": "/"}}',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/"status": "\w+"/);
    expect(r.stdout).toContain('"name": "machine"');
  });

  it('--exec exits non-zero with the QMP error class on failure', async () => {
    const r = await runShell([qemu.socket, '--exec', 'no-such-command']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error: CommandNotFound');
  });

  it('reads commands from stdin interactively and keeps history', async () => {
    const history = join(dir, 'history');
    const r = await runShell(
      [qemu.socket, '--history', history],
      'query-name\nqom-get path=/machine property=type\n',
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Connected to QEMU');
    expect(r.stdout).toContain('"none-machine"');
    expect(readFileSync(history, 'utf8')).toBe('query-name\nqom-get path=/machine property=type\n');
  });
});
