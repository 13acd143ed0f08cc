import { execFileSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type P9Client } from '../../src/client/p9-client.js';
import { LocalFs } from '../../src/fs/local.js';
import { OpenFlags } from '../../src/protocol/constants.js';
import { createServer, type P9Server } from '../../src/server/server.js';

let dir: string;
let outside: string;
let server: P9Server;
let client: P9Client;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'p9-local-'));
  outside = mkdtempSync(join(tmpdir(), 'p9-outside-'));
  writeFileSync(join(outside, 'secret'), 'SECRET');
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'sub', 'f.txt'), 'inside');
  symlinkSync(join(outside, 'secret'), join(dir, 'abs-link'));
  symlinkSync('../../', join(dir, 'sub', 'rel-link'));
  server = createServer({ fs: new LocalFs(dir) });
  const a = await server.listen('tcp:127.0.0.1:0');
  client = await connect(`tcp:127.0.0.1:${a.kind === 'tcp' ? a.port : 0}`);
});

afterAll(async () => {
  client?.close();
  await server?.close();
  // GNU rm walks with openat, so it can delete the deeper-than-PATH_MAX tree.
  if (dir) execFileSync('rm', ['-rf', dir]);
  rmSync(outside, { recursive: true, force: true });
});

describe('LocalFs', () => {
  it('reads, writes, renames across directories and removes', async () => {
    expect((await client.readFile('sub/f.txt')).toString()).toBe('inside');
    await client.mkdir('d1');
    await client.writeFile('d1/new', 'payload');
    expect(readFileSync(join(dir, 'd1', 'new'), 'utf8')).toBe('payload');
    await client.rename('d1/new', 'sub/moved');
    expect(readFileSync(join(dir, 'sub', 'moved'), 'utf8')).toBe('payload');
    await client.remove('sub/moved');
    await client.remove('d1');
    expect(() => statSync(join(dir, 'd1'))).toThrow();
  });

  it('creates files with the exact mode asked for, whatever the umask', async () => {
    const dfid = await client.walk('');
    await client.conn.rpc({
      type: 'Tlcreate',
      fid: dfid,
      name: 'm',
      flags: 1,
      mode: 0o666,
      gid: 0,
    });
    await client.clunk(dfid);
    expect(statSync(join(dir, 'm')).mode & 0o777).toBe(0o666);
  });

  it('makes real FIFOs and sockets, and refuses devices by default', async () => {
    const dfid = await client.walk('');
    await client.conn.rpc({
      type: 'Tmknod',
      dfid,
      name: 'pipe',
      mode: 0o010640,
      major: 0,
      minor: 0,
      gid: 0,
    });
    const st = statSync(join(dir, 'pipe'));
    expect(st.isFIFO()).toBe(true);
    expect(st.mode & 0o777).toBe(0o640);
    // A socket node (what bind makes) needs no privilege.
    await client.conn.rpc({
      type: 'Tmknod',
      dfid,
      name: 'sock',
      mode: 0o140644,
      major: 0,
      minor: 0,
      gid: 0,
    });
    expect(statSync(join(dir, 'sock')).isSocket()).toBe(true);
    // A character device (1:3, like /dev/null): refused unless the export allows devices
    // (special-files.test.ts covers allowDevices), and nothing is left behind.
    await expect(
      client.conn.rpc({
        type: 'Tmknod',
        dfid,
        name: 'null-dev',
        mode: 0o020600,
        major: 1,
        minor: 3,
        gid: 0,
      }),
    ).rejects.toMatchObject({ errnoName: 'EPERM' });
    expect(() => statSync(join(dir, 'null-dev'))).toThrow();
    await client.clunk(dfid);
  });

  it('never follows symlinks on the host: walk stops at the link, open fails with ELOOP', async () => {
    const st = await client.stat('abs-link');
    expect(st.mode & 0o170000).toBe(0o120000);
    const fid = await client.walk('abs-link');
    await expect(client.open(fid, OpenFlags.RDONLY)).rejects.toMatchObject({ errnoName: 'ELOOP' });
    const target = await client.conn.rpc({ type: 'Treadlink', fid });
    expect(target.target).toBe(join(outside, 'secret'));
    await client.clunk(fid);
    // Walking through a symlink stops at it: the server answers a partial walk.
    const r = await client.conn.rpc({
      type: 'Twalk',
      fid: client.rootFid,
      newfid: 90,
      names: ['abs-link', 'x'],
    });
    expect(r.qids.length).toBe(1);
    const r2 = await client.conn.rpc({
      type: 'Twalk',
      fid: client.rootFid,
      newfid: 90,
      names: ['sub', 'rel-link', 'etc'],
    });
    expect(r2.qids.length).toBe(2);
  });

  it('clamps .. at the export root', async () => {
    const fid = await client.walk(['..', '..', '..', 'sub']);
    expect((await client.getattr(fid)).mode & 0o170000).toBe(0o040000);
    await client.clunk(fid);
    const names = (await client.readdir('../../..')).map((e) => e.name).sort();
    expect(names).toContain('sub');
    expect(names).not.toContain('etc');
  });

  it('refuses names with a slash and empty names', async () => {
    const dfid = await client.walk('');
    for (const name of ['a/b', '', '.', '..']) {
      await expect(
        client.conn.rpc({ type: 'Tmkdir', dfid, name, mode: 0o755, gid: 0 }),
      ).rejects.toMatchObject({ errnoName: 'EINVAL' });
    }
    await expect(
      client.conn.rpc({ type: 'Twalk', fid: dfid, newfid: 77, names: ['sub/f.txt'] }),
    ).rejects.toMatchObject({
      errnoName: 'EINVAL',
    });
    await client.clunk(dfid);
  });

  it('keeps a fid valid across a rename of its file, and open-unlink-fstat works', async () => {
    await client.writeFile('r1', 'data');
    const fid = await client.walk('r1');
    await client.rename('r1', 'sub/r2');
    expect((await client.getattr(fid)).size).toBe(4n);
    await client.open(fid, OpenFlags.RDONLY);
    await client.remove('sub/r2');
    expect((await client.getattr(fid)).nlink).toBe(0n);
    expect((await client.read(fid, 0n, 10)).toString()).toBe('data');
    await client.clunk(fid);
  });

  it('keeps clones of a fid valid through clunk, rename and remove of another clone', async () => {
    await client.writeFile('c1', 'clone');
    const a = await client.walk('c1');
    const b = await client.walk([], a); // Twalk with no names: a clone
    await client.clunk(a);
    expect((await client.getattr(b)).size).toBe(5n);
    const c = await client.walk([], b);
    const sub = await client.walk('sub');
    await client.conn.rpc({ type: 'Trename', fid: c, dfid: sub, name: 'c2' });
    expect(readFileSync(join(dir, 'sub', 'c2'), 'utf8')).toBe('clone');
    // b follows the file to its new entry: Tremove through b unlinks sub/c2.
    await client.open(c, OpenFlags.RDONLY);
    await client.conn.rpc({ type: 'Tremove', fid: b });
    expect(() => statSync(join(dir, 'sub', 'c2'))).toThrow();
    expect((await client.getattr(c)).nlink).toBe(0n);
    expect((await client.read(c, 0n, 10)).toString()).toBe('clone');
    await client.clunk(c);
    await client.clunk(sub);
  });

  it('works in trees deeper than PATH_MAX', async () => {
    const name = 'x'.repeat(200);
    let fid = await client.walk('');
    for (let i = 0; i < 25; i++) {
      await client.conn.rpc({ type: 'Tmkdir', dfid: fid, name, mode: 0o755, gid: 0 });
      const next = await client.walk([name], fid);
      await client.clunk(fid);
      fid = next;
    }
    await client.conn.rpc({
      type: 'Tlcreate',
      fid,
      name: 'leaf',
      flags: OpenFlags.WRONLY,
      mode: 0o644,
      gid: 0,
    });
    await client.write(fid, 0n, Buffer.from('deep'));
    await client.clunk(fid);
    const leaf = await client.walk([...Array(25).fill(name), 'leaf']);
    await client.open(leaf, OpenFlags.RDONLY);
    expect((await client.read(leaf, 0n, 10)).toString()).toBe('deep');
    await client.clunk(leaf);
  });
});

describe('LocalFs user xattrs', () => {
  it('stores, lists, replaces and removes user.* attributes; other namespaces refused', async () => {
    await client.writeFile('xa', '');
    const set = async (name: string, value: string, flags: number) => {
      const fid = await client.walk('xa');
      await client.conn.rpc({
        type: 'Txattrcreate',
        fid,
        name,
        attrSize: BigInt(value.length),
        flags,
      });
      if (value) await client.write(fid, 0n, Buffer.from(value));
      await client.clunk(fid);
    };
    const get = async (name: string) => {
      const fid = await client.walk('xa');
      const nf = client.conn.allocFid();
      try {
        const r = await client.conn.rpc({ type: 'Txattrwalk', fid, newfid: nf, name });
        const v = await client.read(nf, 0n, Number(r.size));
        await client.clunk(nf);
        return v.toString();
      } finally {
        await client.clunk(fid);
      }
    };
    await set('user.color', 'blue', 1);
    expect(await get('user.color')).toBe('blue');
    await expect(set('user.color', 'red', 1)).rejects.toMatchObject({ errnoName: 'EEXIST' });
    await set('user.color', 'red', 2);
    expect(await get('user.color')).toBe('red');
    expect(await get('')).toBe('user.color\0');
    await set('user.color', '', 2); // removexattr
    await expect(get('user.color')).rejects.toMatchObject({ errnoName: 'ENODATA' });
    await expect(set('security.selinux', 'x', 0)).rejects.toMatchObject({
      errnoName: 'EOPNOTSUPP',
    });
    await expect(set('trusted.x', 'x', 0)).rejects.toMatchObject({ errnoName: 'EOPNOTSUPP' });
  });
});
