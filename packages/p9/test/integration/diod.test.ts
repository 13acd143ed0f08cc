import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type P9Client } from '../../src/client/p9-client.js';
import { LocalFs } from '../../src/fs/local.js';
import { createServer, type P9Server } from '../../src/server/server.js';

const run = promisify(execFile);
const DIOD = '/usr/sbin/diod';

function requireBinary(path: string): void {
  if (!existsSync(path)) throw new Error(`${path} is missing: install Debian's diod package`);
}

async function freePort(): Promise<number> {
  const s = createTcpServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

/** Starts diod in the foreground on a loopback port exporting `dir`; resolves once it accepts. */
export async function startDiod(dir: string): Promise<{ proc: ChildProcess; port: number }> {
  requireBinary(DIOD);
  const port = await freePort();
  const proc = spawn(DIOD, ['-f', '-n', '-l', `127.0.0.1:${port}`, '-e', dir, '-L', 'stderr'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  for (let i = 0; i < 100; i++) {
    const ok = await connect(`tcp:127.0.0.1:${port}`, { aname: dir, uid: 0 }).then(
      (c) => {
        c.close();
        return true;
      },
      () => false,
    );
    if (ok) return { proc, port };
    await new Promise((r) => setTimeout(r, 100));
  }
  proc.kill();
  throw new Error('diod did not start listening');
}

describe("diod's clients against our server", () => {
  let dir: string;
  let server: P9Server;
  let hostPort: string;

  beforeAll(async () => {
    requireBinary('/usr/sbin/diodls');
    dir = mkdtempSync(join(tmpdir(), 'p9-diodcli-'));
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'a.txt'), 'alpha\n');
    writeFileSync(join(dir, 'sub', 'big'), Buffer.alloc(300_000, 0x61));
    server = createServer({ fs: new LocalFs(dir) });
    const a = await server.listen('tcp:127.0.0.1:0');
    hostPort = `127.0.0.1:${a.kind === 'tcp' ? a.port : 0}`;
  });

  afterAll(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('diodls lists the root and diodls -l shows attributes', async () => {
    const { stdout } = await run('/usr/sbin/diodls', ['-s', hostPort, '-a', dir, '/']);
    expect(stdout.split('\n').filter(Boolean).sort()).toEqual(['a.txt', 'sub']);
    const long = await run('/usr/sbin/diodls', ['-l', '-s', hostPort, '-a', dir, 'sub']);
    expect(long.stdout).toMatch(/-rw-r--r--.*300000.* big/);
  });

  it('diodcat reads files, also with msize 1 MiB', async () => {
    const { stdout } = await run('/usr/sbin/diodcat', ['-s', hostPort, '-a', dir, 'a.txt']);
    expect(stdout).toBe('alpha\n');
    const big = await run(
      '/usr/sbin/diodcat',
      ['-m', '1048576', '-s', hostPort, '-a', dir, 'sub/big'],
      {
        maxBuffer: 1 << 20,
      },
    );
    expect(big.stdout.length).toBe(300_000);
  });
});

describe('our client against diod', () => {
  let dir: string;
  let diod: { proc: ChildProcess; port: number };
  let client: P9Client;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'p9-diodsrv-'));
    writeFileSync(join(dir, 'hello'), 'from diod\n');
    diod = await startDiod(dir);
    client = await connect(`tcp:127.0.0.1:${diod.port}`, { aname: dir, uid: 0 });
  });

  afterAll(async () => {
    client?.close();
    diod?.proc.kill();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('negotiates a version and msize', () => {
    expect(client.msize).toBeGreaterThanOrEqual(8192);
    expect(client.msize).toBeLessThanOrEqual(1024 * 1024);
  });

  it('attaches, walks, opens, reads and getattrs', async () => {
    expect((await client.readFile('hello')).toString()).toBe('from diod\n');
    const st = await client.stat('hello');
    expect(st.size).toBe(10n);
    expect(st.mode & 0o170000).toBe(0o100000);
  });

  it('mkdir, writes, readdir, rename (Trename fallback) and remove (Tremove fallback)', async () => {
    await client.mkdir('d');
    const payload = Buffer.alloc(200_000, 0x7a);
    await client.writeFile('d/f', payload);
    expect(readFileSync(join(dir, 'd', 'f')).equals(payload)).toBe(true);
    expect((await client.readdir('d')).map((e) => e.name)).toEqual(['f']);
    await client.rename('d/f', 'g');
    expect(readFileSync(join(dir, 'g')).length).toBe(200_000);
    await client.remove('g');
    await client.remove('d');
    expect(existsSync(join(dir, 'g'))).toBe(false);
    expect(existsSync(join(dir, 'd'))).toBe(false);
  });
});
