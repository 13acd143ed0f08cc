import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Console, listenUnix } from '../../src/index.js';

const packageDir = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'mv-serial-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs `mv-console` from source (tsx with the source condition), no TTY on stdin. */
function mvConsole(
  args: string[],
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@multiverse-os/source', 'src/cli.ts', ...args],
    { cwd: packageDir, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk;
  });
  return new Promise((done) => child.on('exit', (code) => done({ code, stdout, stderr })));
}

/** A fake device on a Unix socket: answers "PONG n" to every "PING n" line. */
async function pingServer(path: string) {
  const listener = await listenUnix(path);
  const accepted = listener.accept().then(async (socket) => {
    await listener.close();
    const device = new Console(socket);
    device.on('line', (line) => {
      const ping = /^PING (\d+)$/.exec(line);
      if (ping) void device.sendLine(`PONG ${ping[1]}\r`);
    });
    await device.sendLine('device ready\r');
    return device;
  });
  return { accepted };
}

describe('mv-console', () => {
  it('scripts a console with --expect/--send in order and records a transcript', async () => {
    const path = join(dir, 'device.sock');
    const server = await pingServer(path);
    const transcript = join(dir, 'transcript.txt');
    const result = await mvConsole([
      `unix:${path}`,
      '--expect',
      'device ready',
      '--send',
      'PING 1',
      '--expect',
      '/PONG (\\d)/',
      '--send',
      'PING 2',
      '--expect',
      'PONG 2',
      '--transcript',
      transcript,
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('PONG 2');
    expect(readFileSync(transcript, 'utf8')).toMatch(/^\[\d{4}-\d\d-\d\dT[^\]]+\] PONG 1\r\r?$/m);
    (await server.accepted).close();
  });

  it('exits 1 with the last output when an --expect times out', async () => {
    const path = join(dir, 'quiet.sock');
    const server = await pingServer(path);
    const result = await mvConsole([path, '--expect', 'never', '--timeout', '300', '--quiet']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('none of "never" appeared within 300 ms');
    expect(result.stderr).toContain('device ready');
    (await server.accepted).close();
  });

  it('exits 2 with a clear message for a missing endpoint or bad usage', async () => {
    const missing = await mvConsole([join(dir, 'missing.sock'), '--expect', 'x']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('does not exist or nobody listens on it');
    const bad = await mvConsole(['ftp:/x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown scheme "ftp"');
  });

  it('attaches without a TTY: stdin goes to the console, Ctrl-] detaches', async () => {
    const path = join(dir, 'attach.sock');
    const listener = await listenUnix(path);
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--conditions=@multiverse-os/source', 'src/cli.ts', `unix:${path}`],
      { cwd: packageDir, stdio: ['pipe', 'pipe', 'pipe'] },
    );
    const device = new Console(await listener.accept());
    await listener.close();
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
    });
    await device.sendLine('hello person');
    child.stdin.write('typed\r');
    await device.expect('typed\r');
    await new Promise((resolve) => setTimeout(resolve, 200));
    child.stdin.write('\x1d');
    const code = await new Promise((done) => child.on('exit', done));
    expect(code).toBe(0);
    expect(stdout).toContain('hello person');
    device.close();
  });
});
