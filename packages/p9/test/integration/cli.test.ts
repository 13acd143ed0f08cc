import { type ChildProcess, spawn } from 'node:child_process';
import { lstatSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Duplex } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/client/p9-client.js';
import { LocalFs } from '../../src/fs/local.js';
import { createServer } from '../../src/server/server.js';

const cli = join(import.meta.dirname, '..', '..', 'src', 'cli.ts');
// Node runs the TypeScript CLI directly through tsx's loader (no wrapper process to signal).
const tsxArgs = ['--import', 'tsx', '--conditions=@multiverse-os/source'];
const procs: ChildProcess[] = [];
const dir = mkdtempSync(join(tmpdir(), 'p9-cli-'));

/** Runs `mv-p9` from source (tsx) and waits for its "serving" line. */
async function serve(args: string[]): Promise<{ proc: ChildProcess; stderr: () => string }> {
  const proc = spawn(process.execPath, [...tsxArgs, cli, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  procs.push(proc);
  let err = '';
  proc.stderr?.on('data', (d: Buffer) => {
    err += d.toString();
  });
  for (let i = 0; i < 300 && !/serving/.test(err) && proc.exitCode === null; i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  if (!/serving/.test(err)) throw new Error(`mv-p9 did not start: ${err}`);
  return { proc, stderr: () => err };
}

afterAll(() => {
  for (const p of procs) p.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

describe('mv-p9 serve', () => {
  it('serves a folder read-only on a Unix socket and traces requests', async () => {
    writeFileSync(join(dir, 'hello'), 'hi\n');
    const sock = join(dir, 'p9.sock');
    const { stderr } = await serve([
      'serve',
      dir,
      '--listen',
      `unix:${sock}`,
      '--readonly',
      '--trace',
    ]);
    const client = await connect(`unix:${sock}`);
    expect((await client.readFile('hello')).toString()).toBe('hi\n');
    await expect(client.writeFile('new', 'x')).rejects.toMatchObject({ errnoName: 'EROFS' });
    client.close();
    expect(stderr()).toMatch(/Tattach tag \d+ fid/);
    expect(stderr()).toMatch(/Rlerror .*EROFS/);
  });

  it('serves an in-memory tree with --mem on TCP', async () => {
    const { stderr } = await serve(['serve', '--mem', '--listen', 'tcp:127.0.0.1:0']);
    const port = /tcp:127\.0\.0\.1:(\d+)/.exec(stderr())?.[1];
    const client = await connect(`tcp:127.0.0.1:${port}`);
    await client.writeFile('scratch', 'in memory');
    expect((await client.readFile('scratch')).toString()).toBe('in memory');
    client.close();
  });

  it('serves one client over stdin/stdout with --stdio', async () => {
    const { proc } = await serve(['serve', '--mem', '--stdio']);
    if (!proc.stdout || !proc.stdin) throw new Error('no stdio pipes');
    const client = await connect(Duplex.from({ readable: proc.stdout, writable: proc.stdin }));
    await client.mkdir('over-stdio');
    expect((await client.readdir('')).map((e) => e.name)).toEqual(['over-stdio']);
    client.close();
    const code = await new Promise((resolve) => proc.once('exit', resolve));
    expect(code).toBe(0);
  });

  it('fails with a clear message for a bad address or a missing folder', async () => {
    const run = (args: string[]) =>
      new Promise<{ code: number | null; err: string }>((resolve) => {
        const p = spawn(process.execPath, [...tsxArgs, cli, ...args]);
        let err = '';
        p.stderr.on('data', (d: Buffer) => {
          err += d.toString();
        });
        p.on('exit', (code) => resolve({ code, err }));
      });
    const bad = await run(['serve', dir, '--listen', 'ftp:nowhere']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/invalid address "ftp:nowhere"/);
    const missing = await run(['serve', join(dir, 'nope'), '--listen', 'tcp:127.0.0.1:0']);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/is not a directory/);
    expect(readFileSync(join(dir, 'hello'), 'utf8')).toBe('hi\n');
  });

  it('import-metadata moves an old mapped side file into user.virtfs.* xattrs', async () => {
    const tree = mkdtempSync(join(tmpdir(), 'p9-cli-import-'));
    writeFileSync(join(tree, 'owned'), '');
    const st = lstatSync(join(tree, 'owned'), { bigint: true });
    const file = join(dir, 'old-meta.json');
    writeFileSync(file, JSON.stringify({ [`${st.dev}:${st.ino}`]: { uid: 4321, gid: 99 } }));
    const out = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const p = spawn(process.execPath, [...tsxArgs, cli, 'import-metadata', tree, file]);
      let stdout = '';
      p.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
      });
      p.on('exit', (code) => resolve({ code, stdout }));
    });
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout)).toEqual({ imported: 1, skipped: [], missing: 0 });
    const server = createServer({ fs: new LocalFs(tree, { security: 'mapped' }) });
    const a = await server.listen('tcp:127.0.0.1:0');
    const client = await connect(`tcp:127.0.0.1:${a.kind === 'tcp' ? a.port : 0}`);
    try {
      const owned = await client.stat('owned');
      expect([owned.uid, owned.gid]).toEqual([4321, 99]);
    } finally {
      client.close();
      await server.close();
      rmSync(tree, { recursive: true, force: true });
    }
  });
});
