import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveAgent } from '../../src/agent/agent.js';
import { AgentConfigSchema } from '../../src/agent/config.js';
import { rootsContaining } from '../../src/agent/confine.js';
import { AgentClient } from '../../src/client/client.js';
import type { RemoteError } from '../../src/errors.js';
import { generateIdentity } from '../../src/tls/identity.js';
import { collectLines, duplexPair } from '../helpers.js';

// The attacks of issue 23 on the agent's file methods, through the real protocol (TLS over an
// in-memory pipe): a dangling symlink inside an allowed root, and a directory swapped for a
// symlink to the outside by another process while the host reads and writes through it.

const base = realpathSync(mkdtempSync(join(tmpdir(), 'mv-agent-confine-')));
const allowed = join(base, 'allowed');
const nested = join(allowed, 'nested-root');
const outside = join(base, 'outside');
const agentLog = collectLines();
/** Successes inside the swapped directory the race test waits for, per kind of call. */
const MIN_INSIDE = 30;
const MIN_INSIDE_EXECS = 10;
let client: AgentClient;

async function connect(paths: string[]): Promise<AgentClient> {
  const [host, portal] = await Promise.all([generateIdentity('host'), generateIdentity('portal')]);
  const config = AgentConfigSchema.parse({
    identity: portal,
    hostCert: host.cert,
    allow: ['exec', 'file.read', 'file.write', 'file.stat', 'file.list'],
    paths,
  });
  const [a, b] = duplexPair();
  const [, connected] = await Promise.all([
    serveAgent(b, config, { log: agentLog.log }),
    AgentClient.connect(a, { identity: host, portalCert: portal.cert }),
  ]);
  return connected;
}

/** The remote error code and message of a call that must fail. */
async function refusal(call: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await call;
  } catch (error) {
    return { code: (error as RemoteError).remoteCode, message: (error as Error).message };
  }
  throw new Error('the call was not refused');
}

beforeAll(async () => {
  mkdirSync(nested, { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(allowed, 'note.txt'), 'inside note');
  writeFileSync(join(outside, 'secret.txt'), 'OUTSIDE SECRET');
  client = await connect([allowed, nested]);
});

afterAll(() => {
  client.close();
  rmSync(base, { recursive: true, force: true });
});

describe('which root a path belongs to is decided on the text, after . and ..', () => {
  it('finds the most specific root and the relative rest; a path that climbs out is refused', () => {
    expect(rootsContaining('/srv/a/./b//c/', ['/srv/a', '/srv/a/b/'])).toEqual([
      { root: '/srv/a/b', rel: 'c' },
      { root: '/srv/a', rel: 'b/c' },
    ]);
    expect(rootsContaining('/srv/a', ['/srv/a/'])).toEqual([{ root: '/srv/a', rel: '' }]);
    expect(rootsContaining('/srv/a/x/../y', ['/'])).toEqual([{ root: '/', rel: 'srv/a/y' }]);
    expect(() => rootsContaining('/srv/a/../b', ['/srv/a'])).toThrow(/outside the allowed paths/);
    expect(() => rootsContaining('/srv/ab', ['/srv/a'])).toThrow(/outside the allowed paths/);
    expect(() => rootsContaining('srv/a', ['/srv/a'])).toThrow(/not an absolute path/);
    expect(() => rootsContaining('/srv/a', [])).toThrow(/no file paths are allowed/);
  });
});

describe('a dangling symlink inside an allowed root (finding 1)', () => {
  it('file.write through it fails with a clear error and creates nothing outside', async () => {
    const landing = join(outside, 'planted-by-dangling.txt');
    symlinkSync(landing, join(allowed, 'dangling-absolute'));
    symlinkSync('../outside/planted-by-relative.txt', join(allowed, 'dangling-relative'));
    for (const name of ['dangling-absolute', 'dangling-relative']) {
      for (const append of [false, true]) {
        const refused = await refusal(
          client.writeFile(join(allowed, name), Buffer.from('escaped'), { append }),
        );
        expect(refused.code).toBe('PERMISSION');
        expect(refused.message).toContain(`${join(allowed, name)}: is a symbolic link`);
      }
    }
    expect(readdirSync(outside)).toEqual(['secret.txt']);
    // The links are still links: nothing replaced them either.
    expect(readdirSync(allowed).sort()).toEqual([
      'dangling-absolute',
      'dangling-relative',
      'nested-root',
      'note.txt',
    ]);
  });

  it('file.write never follows a final symlink, even to an existing file or one inside', async () => {
    symlinkSync(join(outside, 'secret.txt'), join(allowed, 'to-secret'));
    symlinkSync('note.txt', join(allowed, 'to-note'));
    for (const name of ['to-secret', 'to-note']) {
      const refused = await refusal(client.writeFile(join(allowed, name), Buffer.from('x')));
      expect(refused.code).toBe('PERMISSION');
      expect(refused.message).toMatch(/is a symbolic link/);
    }
    expect(readFileSync(join(outside, 'secret.txt'), 'utf8')).toBe('OUTSIDE SECRET');
    expect(readFileSync(join(allowed, 'note.txt'), 'utf8')).toBe('inside note');
  });

  it('no link leads out of its root: read, write, stat, list and exec cwd are refused', async () => {
    symlinkSync(outside, join(allowed, 'out-dir'));
    symlinkSync('../../outside', join(nested, 'up-and-out'));
    const attempts: [string, () => Promise<unknown>][] = [
      ['read via a final link', () => client.readFile(join(allowed, 'to-secret'))],
      ['read via a dir link', () => client.readFile(join(allowed, 'out-dir', 'secret.txt'))],
      ['read via .. in a link', () => client.readFile(join(nested, 'up-and-out', 'secret.txt'))],
      [
        'write via a dir link',
        () => client.writeFile(join(allowed, 'out-dir', 'new.txt'), Buffer.of(1)),
      ],
      ['stat via a dir link', () => client.stat(join(allowed, 'out-dir', 'secret.txt'))],
      ['list via a dir link', () => client.list(join(allowed, 'out-dir'))],
      ['exec cwd via a dir link', () => client.run('pwd', [], { cwd: join(allowed, 'out-dir') })],
    ];
    for (const [what, attempt] of attempts) {
      const refused = await refusal(attempt());
      expect(refused.code, what).toBe('PERMISSION');
      expect(refused.message, what).toMatch(/leads outside the allowed paths/);
      expect(refused.message, what).not.toContain('OUTSIDE SECRET');
    }
    expect(readdirSync(outside)).toEqual(['secret.txt']);
  });

  it('a lexical climb out is refused before any lookup; missing names are PATH errors', async () => {
    const climb = await refusal(client.readFile(`${allowed}/../outside/secret.txt`));
    expect(climb).toMatchObject({ code: 'PERMISSION' });
    expect(climb.message).toMatch(/outside the allowed paths/);
    const missing = await refusal(client.stat(join(allowed, 'missing')));
    expect(missing).toMatchObject({ code: 'PATH' });
    expect(missing.message).toContain(`${join(allowed, 'missing')}: ENOENT`);
    const noDir = await refusal(client.writeFile(join(allowed, 'no-dir', 'f'), Buffer.of(1)));
    expect(noDir).toMatchObject({ code: 'PATH' });
    const cwd = await refusal(client.run('pwd', [], { cwd: join(allowed, 'missing') }));
    expect(cwd).toMatchObject({ code: 'PATH' });
  });

  it('inside a root everything still works, relative links that stay beneath included', async () => {
    symlinkSync('../note.txt', join(nested, 'note-link'));
    // `nested` is a root of its own, and its link climbs out of it, but stays in `allowed`.
    expect((await client.readFile(join(nested, 'note-link'))).toString()).toBe('inside note');
    expect((await client.readFile(`${allowed}/./nested-root/../note.txt`)).toString()).toBe(
      'inside note',
    );
    expect(await client.writeFile(join(nested, 'new.txt'), Buffer.from('abc'))).toEqual({
      bytes: 3,
    });
    expect(
      await client.writeFile(join(nested, 'new.txt'), Buffer.from('de'), { append: true }),
    ).toEqual({ bytes: 2 });
    expect(readFileSync(join(nested, 'new.txt'), 'utf8')).toBe('abcde');
    expect(await client.stat(join(allowed, 'to-note'))).toMatchObject({ type: 'symlink' });
    expect(await client.stat(join(nested, 'new.txt'))).toMatchObject({ type: 'file', size: 5 });
    const { entries } = await client.list(nested);
    expect(entries.sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      { name: 'new.txt', type: 'file' },
      { name: 'note-link', type: 'symlink' },
      { name: 'up-and-out', type: 'symlink' },
    ]);
    const pwd = await client.run('pwd', ['-P'], { cwd: `${nested}/` });
    expect(pwd).toMatchObject({ exitCode: 0, stdout: `${nested}\n` });
  });
});

describe('a directory swapped for a symlink to the outside while the host reads and writes (finding 2)', () => {
  it('never reads, stats, lists, writes or runs a command outside, and keeps succeeding inside', async () => {
    const root = join(base, 'race');
    const away = join(base, 'race-outside');
    mkdirSync(root);
    mkdirSync(away);
    writeFileSync(join(away, 'secret'), 'OUTSIDE SECRET');
    writeFileSync(join(away, 'only-outside'), '');
    const racer = await connect([root]);
    // rename(2) is atomic: `swap` is at each moment the real directory, the link, or absent.
    const swapper = spawn(
      process.execPath,
      [
        '-e',
        `const fs = require('node:fs');
         const [root, away] = process.argv.slice(1);
         fs.mkdirSync(root + '/swap');
         fs.writeFileSync(root + '/swap/secret', 'inside');
         fs.symlinkSync(away, root + '/link');
         process.stdout.write('ready\\n');
         const end = Date.now() + 30000;
         while (Date.now() < end) {
           fs.renameSync(root + '/swap', root + '/parked');
           fs.renameSync(root + '/link', root + '/swap');
           fs.renameSync(root + '/swap', root + '/link');
           fs.renameSync(root + '/parked', root + '/swap');
         }`,
        root,
        away,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise<number | null>((resolve) => swapper.on('exit', resolve));
    await new Promise((resolve) => swapper.stdout.once('data', resolve));
    const counts = {
      insideReads: 0,
      outsideReads: 0,
      writes: 0,
      insideStats: 0,
      outsideStats: 0,
      insideLists: 0,
      outsideLists: 0,
      insideExecs: 0,
      outsideExecs: 0,
      refusals: 0,
    };
    const refusalCodes = new Set<string>();
    const refused = (error: unknown) => {
      counts.refusals++;
      refusalCodes.add((error as RemoteError).remoteCode);
    };
    // At least 3 s, and on until every kind of call has succeeded inside often enough (a
    // loaded machine runs fewer turns), bounded by 20 s.
    const started = Date.now();
    const enough = () =>
      Math.min(counts.insideReads, counts.writes, counts.insideStats, counts.insideLists) >=
        MIN_INSIDE && counts.insideExecs >= MIN_INSIDE_EXECS;
    let turn = 0;
    try {
      while (Date.now() - started < 3000 || (!enough() && Date.now() - started < 20_000)) {
        await racer.readFile(join(root, 'swap', 'secret')).then((data) => {
          if (data.toString() === 'inside') counts.insideReads++;
          else counts.outsideReads++;
        }, refused);
        await racer
          .writeFile(join(root, 'swap', 'planted'), Buffer.from('x\n'), { append: true })
          .then(() => counts.writes++, refused);
        await racer.stat(join(root, 'swap', 'secret')).then((stat) => {
          if (stat.size === 'inside'.length) counts.insideStats++;
          else counts.outsideStats++;
        }, refused);
        await racer.list(join(root, 'swap')).then(({ entries }) => {
          if (entries.some((e) => e.name === 'only-outside')) counts.outsideLists++;
          else counts.insideLists++;
        }, refused);
        // A process per call is slow: exec's cwd takes one turn in four.
        if (++turn % 4 === 0) {
          await racer.run('ls', [], { cwd: join(root, 'swap') }).then(({ stdout }) => {
            if (stdout.includes('only-outside')) counts.outsideExecs++;
            else if (stdout.includes('secret')) counts.insideExecs++;
          }, refused);
        }
      }
    } finally {
      swapper.kill();
      await exited;
      racer.close();
    }
    console.log(`swap race: ${JSON.stringify(counts)}`);
    // Every append that succeeded landed in the real directory; none reached the outside.
    expect(existsSync(join(away, 'planted'))).toBe(false);
    expect(readdirSync(away).sort()).toEqual(['only-outside', 'secret']);
    // The swapper may have been stopped between renames: the real directory is `parked` then.
    const swapDir = existsSync(join(root, 'parked')) ? join(root, 'parked') : join(root, 'swap');
    expect(readFileSync(join(swapDir, 'planted'), 'utf8')).toBe('x\n'.repeat(counts.writes));
    expect(counts.outsideReads).toBe(0);
    expect(counts.outsideStats).toBe(0);
    expect(counts.outsideLists).toBe(0);
    expect(counts.outsideExecs).toBe(0);
    // The loop really raced: many calls succeeded inside and many were refused.
    expect(counts.insideReads).toBeGreaterThanOrEqual(MIN_INSIDE);
    expect(counts.writes).toBeGreaterThanOrEqual(MIN_INSIDE);
    expect(counts.insideStats).toBeGreaterThanOrEqual(MIN_INSIDE);
    expect(counts.insideLists).toBeGreaterThanOrEqual(MIN_INSIDE);
    expect(counts.insideExecs).toBeGreaterThanOrEqual(MIN_INSIDE_EXECS);
    expect(counts.refusals).toBeGreaterThanOrEqual(MIN_INSIDE);
    expect(refusalCodes).toContain('PERMISSION');
    for (const code of refusalCodes) expect(['PATH', 'PERMISSION']).toContain(code);
  }, 40_000);
});
