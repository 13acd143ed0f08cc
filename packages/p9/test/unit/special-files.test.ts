import { execFileSync } from 'node:child_process';
import { lstatSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connect, type P9Client } from '../../src/client/p9-client.js';
import { InvalidOptionError } from '../../src/errors.js';
import { LocalFs, type LocalFsOptions } from '../../src/fs/local.js';
import { NOFID, OpenFlags, SetattrMask } from '../../src/protocol/constants.js';
import { createServer } from '../../src/server/server.js';

// Issue 23: device nodes and set-id bits through a server that may run as root. The host
// side is checked with lstat: what the client may or may not have planted in the export.

if (process.getuid?.() !== 0) throw new Error('these tests need root (CI runs as root)');

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function serve(options: LocalFsOptions): Promise<{ dir: string; client: P9Client }> {
  const dir = mkdtempSync(join(tmpdir(), 'p9-special-'));
  const server = createServer({ fs: new LocalFs(dir, options) });
  const a = await server.listen('tcp:127.0.0.1:0');
  const client = await connect(`tcp:127.0.0.1:${a.kind === 'tcp' ? a.port : 0}`, { uid: 0 });
  cleanups.push(async () => {
    client.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { dir, client };
}

/** A second root fid on the same connection, attached as `uid`. */
async function rootAs(client: P9Client, uid: number): Promise<number> {
  const fid = client.conn.allocFid();
  await client.conn.rpc({ type: 'Tattach', fid, afid: NOFID, uname: '', aname: '', nUname: uid });
  return fid;
}

async function inRoot<T>(client: P9Client, f: (dfid: number) => Promise<T>): Promise<T> {
  const dfid = await client.walk('');
  try {
    return await f(dfid);
  } finally {
    await client.clunk(dfid);
  }
}

const mknod = (client: P9Client, name: string, mode: number, major = 0, minor = 0) =>
  inRoot(client, (dfid) =>
    client.conn.rpc({ type: 'Tmknod', dfid, name, mode, major, minor, gid: 0 }),
  );

const lcreate = (client: P9Client, name: string, mode: number) =>
  inRoot(client, async (dfid) => {
    await client.conn.rpc({ type: 'Tlcreate', fid: dfid, name, flags: 2, mode, gid: 0 });
  });

const mkdir = (client: P9Client, name: string, mode: number) =>
  inRoot(client, (dfid) => client.conn.rpc({ type: 'Tmkdir', dfid, name, mode, gid: 0 }));

async function chmod(client: P9Client, path: string, mode: number): Promise<void> {
  const fid = await client.walk(path);
  try {
    await client.conn.rpc({
      type: 'Tsetattr',
      fid,
      valid: SetattrMask.MODE,
      mode,
      uid: 0,
      gid: 0,
      size: 0n,
      atimeSec: 0n,
      atimeNsec: 0n,
      mtimeSec: 0n,
      mtimeNsec: 0n,
    });
  } finally {
    await client.clunk(fid);
  }
}

const EPERM = { errnoName: 'EPERM' };

describe('device nodes', () => {
  it('passthrough as root: Tmknod of char and block devices is refused, nothing reaches the host', async () => {
    const { dir, client } = await serve({ security: 'passthrough' });
    await expect(mknod(client, 'kmsg', 0o020444, 1, 11)).rejects.toMatchObject(EPERM);
    await expect(mknod(client, 'disk', 0o060666, 8, 0)).rejects.toMatchObject(EPERM);
    expect(() => lstatSync(join(dir, 'kmsg'))).toThrow(/ENOENT/);
    expect(() => lstatSync(join(dir, 'disk'))).toThrow(/ENOENT/);
  });

  it('passthrough as root: a device node already in the export cannot be opened', async () => {
    const { dir, client } = await serve({ security: 'passthrough' });
    execFileSync('mknod', ['-m', '0666', join(dir, 'null'), 'c', '1', '3']);
    const fid = await client.walk('null');
    await expect(client.open(fid, OpenFlags.RDONLY)).rejects.toMatchObject(EPERM);
    await expect(client.open(fid, OpenFlags.WRONLY)).rejects.toMatchObject(EPERM);
    await client.clunk(fid);
    // Its attributes are still visible (ls -l works).
    expect((await client.stat('null')).mode).toBe(0o020666);
  });

  it('allowDevices: the export opts in, devices are made and opened', async () => {
    const { dir, client } = await serve({ security: 'passthrough', allowDevices: true });
    await mknod(client, 'null', 0o020666, 1, 3);
    const st = lstatSync(join(dir, 'null'));
    expect(st.isCharacterDevice()).toBe(true);
    expect(st.rdev).toBe(statSync('/dev/null').rdev);
    expect((await client.readFile('null')).length).toBe(0);
  });

  it('squash refuses allowDevices and allowSetid with a typed error', () => {
    for (const option of ['allowDevices', 'allowSetid'] as const) {
      expect(() => new LocalFs('/tmp', { security: 'squash', [option]: true })).toThrow(
        InvalidOptionError,
      );
      expect(() => new LocalFs('/tmp', { security: 'squash', [option]: true })).toThrow(option);
    }
    expect(() => new LocalFs('/tmp', { allowDevices: 'yes' as unknown as boolean })).toThrow(
      /allowDevices: must be a boolean/,
    );
  });

  it('mapped: device nodes are refused by default too (they are emulated when allowed)', async () => {
    const { client } = await serve({ security: 'mapped' });
    await expect(mknod(client, 'kmsg', 0o020444, 1, 11)).rejects.toMatchObject(EPERM);
  });
});

describe('socket nodes (bind in a guest)', () => {
  it('passthrough: Tmknod of S_IFSOCK makes a socket node with the asked mode, long names too', async () => {
    const { dir, client } = await serve({ security: 'passthrough' });
    await mknod(client, 'sock', 0o140750);
    const st = lstatSync(join(dir, 'sock'));
    expect(st.isSocket()).toBe(true);
    expect(st.mode & 0o7777).toBe(0o750);
    // A name past the 107 bytes a socket address holds.
    const long = 's'.repeat(250);
    await mknod(client, long, 0o140777);
    expect(lstatSync(join(dir, long)).isSocket()).toBe(true);
    expect((await client.stat(long)).mode).toBe(0o140777);
    // mknod semantics: an existing name is EEXIST and is left alone; no temporary remains.
    await expect(mknod(client, 'sock', 0o140777)).rejects.toMatchObject({ errnoName: 'EEXIST' });
    expect(lstatSync(join(dir, 'sock')).mode & 0o7777).toBe(0o750);
    const names = (await client.readdir('')).map((e) => e.name).sort();
    expect(names).toEqual([long, 'sock'].sort());
  });

  it('squash and mapped: Tmknod of a socket works', async () => {
    for (const security of ['squash', 'mapped'] as const) {
      const { client } = await serve({ security });
      await mknod(client, 'sock', 0o140755);
      expect((await client.stat('sock')).mode).toBe(0o140755);
    }
  });
});

describe('set-id bits', () => {
  for (const security of ['passthrough', 'squash', 'mapped'] as const) {
    it(`${security}: every mode path refuses set-id bits by default`, async () => {
      const { dir, client } = await serve({ security });
      writeFileSync(join(dir, 'plain'), 'x');
      await expect(lcreate(client, 'suid', 0o4755)).rejects.toMatchObject(EPERM);
      await expect(lcreate(client, 'sgid', 0o2755)).rejects.toMatchObject(EPERM);
      await expect(mkdir(client, 'dir', 0o7777)).rejects.toMatchObject(EPERM);
      await expect(mknod(client, 'regular', 0o104755)).rejects.toMatchObject(EPERM);
      await expect(mknod(client, 'fifo', 0o012644)).rejects.toMatchObject(EPERM);
      await expect(chmod(client, 'plain', 0o6755)).rejects.toMatchObject(EPERM);
      await expect(chmod(client, 'plain', 0o2755)).rejects.toMatchObject(EPERM);
      for (const name of ['suid', 'sgid', 'dir', 'regular', 'fifo']) {
        expect(() => lstatSync(join(dir, name)), name).toThrow(/ENOENT/);
      }
      expect(statSync(join(dir, 'plain')).mode & 0o7777).toBe(0o644);
      // The sticky bit and plain modes are fine.
      await mkdir(client, 'tmp', 0o1777);
      await chmod(client, 'plain', 0o755);
      expect((await client.stat('tmp')).mode & 0o7777).toBe(0o1777);
      expect((await client.stat('plain')).mode & 0o7777).toBe(0o755);
    });
  }

  it('chmod keeps set-id bits a file already has (chmod u+w of a host set-id file)', async () => {
    const { dir, client } = await serve({ security: 'passthrough' });
    writeFileSync(join(dir, 'tool'), 'x', { mode: 0o755 });
    execFileSync('chmod', ['4555', join(dir, 'tool')]);
    await chmod(client, 'tool', 0o4755);
    expect(statSync(join(dir, 'tool')).mode & 0o7777).toBe(0o4755);
    await expect(chmod(client, 'tool', 0o6755)).rejects.toMatchObject(EPERM);
  });

  it('allowSetid: the export opts in and the bits reach the host (passthrough, after chown)', async () => {
    const { dir, client } = await serve({ security: 'passthrough', allowSetid: true });
    const uidRoot = await rootAs(client, 1000);
    await client.conn.rpc({
      type: 'Tlcreate',
      fid: uidRoot,
      name: 'suid',
      flags: 2,
      mode: 0o4755,
      gid: 1000,
    });
    const st = statSync(join(dir, 'suid'));
    expect([st.mode & 0o7777, st.uid, st.gid]).toEqual([0o4755, 1000, 1000]);
  });
});

describe('a write by a user other than root drops set-id bits (as the kernel does)', () => {
  async function writeAs(client: P9Client, uid: number, name: string): Promise<void> {
    const root = await rootAs(client, uid);
    const fid = await client.walk(name, root);
    await client.open(fid, OpenFlags.WRONLY);
    await client.write(fid, 0n, Buffer.from('y'));
    await client.clunk(fid);
    await client.clunk(root);
  }

  for (const security of ['passthrough', 'mapped'] as const) {
    it(`${security}: 04777 becomes 0777 after a write by uid 1000; root's write keeps it`, async () => {
      const { client } = await serve({ security, allowSetid: true });
      await lcreate(client, 'suid', 0o4777);
      await lcreate(client, 'sgid', 0o2775);
      await lcreate(client, 'lock', 0o2664); // set-gid without group execute: a lock marker
      await writeAs(client, 0, 'suid');
      expect((await client.stat('suid')).mode & 0o7777).toBe(0o4777);
      for (const name of ['suid', 'sgid', 'lock']) await writeAs(client, 1000, name);
      expect((await client.stat('suid')).mode & 0o7777).toBe(0o777);
      expect((await client.stat('sgid')).mode & 0o7777).toBe(0o775);
      expect((await client.stat('lock')).mode & 0o7777).toBe(0o2664);
    });
  }

  it('passthrough: a truncate (Tsetattr size, or open with O_TRUNC) by uid 1000 drops them too', async () => {
    const { dir, client } = await serve({ security: 'passthrough', allowSetid: true });
    await lcreate(client, 'a', 0o4777);
    await lcreate(client, 'b', 0o4777);
    const root = await rootAs(client, 1000);
    const a = await client.walk('a', root);
    await client.conn.rpc({
      type: 'Tsetattr',
      fid: a,
      valid: SetattrMask.SIZE,
      mode: 0,
      uid: 0,
      gid: 0,
      size: 0n,
      atimeSec: 0n,
      atimeNsec: 0n,
      mtimeSec: 0n,
      mtimeNsec: 0n,
    });
    const b = await client.walk('b', root);
    await client.open(b, OpenFlags.WRONLY | OpenFlags.TRUNC);
    expect(statSync(join(dir, 'a')).mode & 0o7777).toBe(0o777);
    expect(statSync(join(dir, 'b')).mode & 0o7777).toBe(0o777);
  });
});

describe('chown', () => {
  it('mapped: chown changes ctime and drops set-id bits, like a local filesystem', async () => {
    const { dir, client } = await serve({ security: 'mapped', allowSetid: true });
    await lcreate(client, 'f', 0o4755);
    const before = lstatSync(join(dir, 'f'), { bigint: true }).ctimeNs;
    await new Promise((r) => setTimeout(r, 20));
    const fid = await client.walk('f');
    await client.conn.rpc({
      type: 'Tsetattr',
      fid,
      valid: SetattrMask.UID | SetattrMask.GID,
      mode: 0,
      uid: 4242,
      gid: 4343,
      size: 0n,
      atimeSec: 0n,
      atimeNsec: 0n,
      mtimeSec: 0n,
      mtimeNsec: 0n,
    });
    await client.clunk(fid);
    const after = await client.stat('f');
    expect(lstatSync(join(dir, 'f'), { bigint: true }).ctimeNs).toBeGreaterThan(before);
    expect(after.ctimeSec * 1_000_000_000n + after.ctimeNsec).toBeGreaterThan(before);
    expect([after.uid, after.gid, after.mode & 0o7777]).toEqual([4242, 4343, 0o755]);
  });
});

describe('FIFOs opened by a raw client', () => {
  it('open at once without a peer and never park the server threads', async () => {
    const { dir, client } = await serve({ security: 'passthrough' });
    writeFileSync(join(dir, 'regular'), 'still served\n');
    for (let i = 0; i < 8; i++) execFileSync('mkfifo', [join(dir, `fifo${i}`)]);
    // A blocking open of a FIFO with no writer would hold one of libuv's 4 threads each: with
    // 8 of them, the regular file's read below (asynchronous) would wait forever.
    const fids: number[] = [];
    for (let i = 0; i < 8; i++) {
      const fid = await client.walk(`fifo${i}`);
      await client.open(fid, OpenFlags.RDONLY);
      fids.push(fid);
    }
    // A read answers at once with an error (a FIFO has no offsets: ESPIPE), never a wait.
    await expect(
      client.conn.rpc({ type: 'Tread', fid: fids[0] as number, offset: 0n, count: 200_000 }),
    ).rejects.toMatchObject({ code: 'REMOTE' });
    expect((await client.readFile('regular')).toString()).toBe('still served\n');
    for (const fid of fids) await client.clunk(fid);
  });
});
