import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Dir } from '@multiverse-os/fsat';
import { afterEach, describe, expect, it } from 'vitest';
import { connect, type P9Client } from '../../src/client/p9-client.js';
import { LocalFs, type LocalFsOptions } from '../../src/fs/local.js';
import { importMetadataFile } from '../../src/fs/local-import.js';
import { OpenFlags, SetattrMask } from '../../src/protocol/constants.js';
import { decodeDirents } from '../../src/protocol/dirent.js';
import { createServer } from '../../src/server/server.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const le32 = (v: number) => Buffer.from(Uint32Array.of(v).buffer);

async function serve(options: LocalFsOptions, prepare?: (dir: string) => void) {
  const dir = mkdtempSync(join(tmpdir(), 'p9-xattr-'));
  prepare?.(dir);
  const server = createServer({ fs: new LocalFs(dir, options) });
  const a = await server.listen('tcp:127.0.0.1:0');
  const client = await connect(`tcp:127.0.0.1:${a.kind === 'tcp' ? a.port : 0}`, { uid: 1000 });
  cleanups.push(async () => {
    client.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { dir, client };
}

async function xattr(client: P9Client, path: string, name: string, value?: string) {
  const fid = await client.walk(path);
  try {
    if (value === undefined) {
      const nf = client.conn.allocFid();
      const r = await client.conn.rpc({ type: 'Txattrwalk', fid, newfid: nf, name });
      const v = await client.read(nf, 0n, Number(r.size));
      await client.clunk(nf);
      return v.toString();
    }
    await client.conn.rpc({
      type: 'Txattrcreate',
      fid,
      name,
      attrSize: BigInt(value.length),
      flags: 0,
    });
    if (value) await client.write(fid, 0n, Buffer.from(value));
    return '';
  } finally {
    await client.clunk(fid);
  }
}

async function setTimes(client: P9Client, path: string, sec: bigint, nsec: bigint) {
  const fid = await client.walk(path);
  try {
    await client.conn.rpc({
      type: 'Tsetattr',
      fid,
      valid: SetattrMask.ATIME | SetattrMask.ATIME_SET | SetattrMask.MTIME | SetattrMask.MTIME_SET,
      mode: 0,
      uid: 0,
      gid: 0,
      size: 0n,
      atimeSec: sec,
      atimeNsec: nsec,
      mtimeSec: sec + 1n,
      mtimeNsec: nsec,
    });
  } finally {
    await client.clunk(fid);
  }
}

describe('host extended attributes', () => {
  for (const security of ['mapped', 'passthrough'] as const) {
    it(`${security}: user.* xattrs are the host file's own; user.virtfs.* is hidden and refused`, async () => {
      const { dir, client } = await serve({ security });
      await client.writeFile('f', 'x');
      await xattr(client, 'f', 'user.color', 'blue');
      const host = Dir.open(dir);
      try {
        expect(host.getxattr('f', 'user.color')?.toString()).toBe('blue');
        host.setxattr('f', 'user.from-host', Buffer.from('h'));
      } finally {
        host.close();
      }
      expect(await xattr(client, 'f', 'user.from-host')).toBe('h');
      const names = (await xattr(client, 'f', '')).split('\0').filter(Boolean).sort();
      expect(names).toEqual(['user.color', 'user.from-host']);
      await expect(xattr(client, 'f', 'user.virtfs.uid', '\0\0\0\0')).rejects.toMatchObject({
        errnoName: 'EACCES',
      });
      await expect(xattr(client, 'f', 'user.virtfs.mode')).rejects.toMatchObject({
        errnoName: 'ENODATA',
      });
    });
  }

  it('mapped: a folder written by QEMU mapped-xattr shows the same owners, modes and symlinks', async () => {
    const { client } = await serve({ security: 'mapped' }, (dir) => {
      writeFileSync(join(dir, 'owned'), 'data');
      writeFileSync(join(dir, 'link'), '../target'); // QEMU keeps a symlink as a file
      mkdirSync(join(dir, 'd'));
      const host = Dir.open(dir);
      try {
        host.setxattr('owned', 'user.virtfs.uid', le32(1234));
        host.setxattr('owned', 'user.virtfs.gid', le32(5678));
        host.setxattr('owned', 'user.virtfs.mode', le32(0o100640));
        host.setxattr('link', 'user.virtfs.mode', le32(0o120777));
        host.setxattr('d', 'user.virtfs.uid', le32(42));
        host.setxattr('d', 'user.virtfs.mode', le32(0o040750));
      } finally {
        host.close();
      }
    });
    const owned = await client.stat('owned');
    expect([owned.uid, owned.gid, owned.mode]).toEqual([1234, 5678, 0o100640]);
    expect((await client.stat('d')).mode).toBe(0o040750);
    expect((await client.stat('d')).uid).toBe(42);
    expect((await client.stat('link')).mode).toBe(0o120777);
    const fid = await client.walk('link');
    const r = await client.conn.rpc({ type: 'Treadlink', fid });
    expect(r.target).toBe('../target');
    await client.clunk(fid);
  });

  it('mapped: symlinks made by a client are stored as QEMU stores them, and read back', async () => {
    const { dir, client } = await serve({ security: 'mapped' });
    const dfid = await client.walk('');
    await client.conn.rpc({ type: 'Tsymlink', fid: dfid, name: 'l', target: 'a/b', gid: 7 });
    await client.clunk(dfid);
    const st = await client.stat('l');
    expect([st.mode, st.uid, st.gid]).toEqual([0o120777, 1000, 7]);
    expect(statSync(join(dir, 'l')).isFile()).toBe(true);
    const host = Dir.open(dir);
    try {
      expect(host.getxattr('l', 'user.virtfs.mode')).toEqual(le32(0o120777));
    } finally {
      host.close();
    }
    const fid = await client.walk('l');
    expect((await client.conn.rpc({ type: 'Treadlink', fid })).target).toBe('a/b');
    await client.clunk(fid);
  });

  it('importMetadataFile moves an old JSON side file into xattrs', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'p9-import-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', 'f'), '');
    symlinkSync('f', join(dir, 'sub', 'l'));
    const key = (p: string) => {
      // The side file was keyed by lstat's dev and ino.
      const st = lstatSync(join(dir, p), { bigint: true });
      return `${st.dev}:${st.ino}`;
    };
    const file = join(dir, 'meta.json');
    writeFileSync(
      file,
      JSON.stringify({
        [key('sub/f')]: {
          uid: 7,
          gid: 8,
          mode: 0o100604,
          xattrs: { 'user.k': Buffer.from('v').toString('base64') },
        },
        [key('sub')]: { uid: 9, mode: 0o040700 },
        [key('sub/l')]: { uid: 1 },
        '1:999999999': { uid: 5 },
      }),
    );
    const done = importMetadataFile(dir, file);
    expect(done.imported).toBe(2);
    expect(done.skipped).toEqual(['sub/l']); // a symlink cannot carry user xattrs
    expect(done.missing).toBeGreaterThanOrEqual(1);
    const host = Dir.open(dir);
    try {
      expect(host.getxattr('sub/f', 'user.virtfs.uid')).toEqual(le32(7));
      expect(host.getxattr('sub/f', 'user.virtfs.mode')).toEqual(le32(0o100604));
      expect(host.getxattr('sub/f', 'user.k')?.toString()).toBe('v');
      expect(host.getxattr('sub', 'user.virtfs.uid')).toEqual(le32(9));
    } finally {
      host.close();
    }
    expect(() => importMetadataFile(dir, join(dir, 'missing.json'))).toThrow(/cannot read/);
  });
});

describe('timestamps and directories', () => {
  it('sets times to the nanosecond (no float seconds on the way)', async () => {
    const { dir, client } = await serve({ security: 'mapped' });
    await client.writeFile('t', '');
    await setTimes(client, 't', 1_700_000_000n, 100_000_000n);
    const host = Dir.open(dir);
    try {
      const st = host.stat('t');
      expect(st.atime).toEqual({ sec: 1_700_000_000, nsec: 100_000_000 });
      expect(st.mtime).toEqual({ sec: 1_700_000_001, nsec: 100_000_000 });
    } finally {
      host.close();
    }
    await setTimes(client, 't', 1_600_000_000n, 999_999_999n);
    const st = await client.stat('t');
    expect([st.atimeSec, st.atimeNsec]).toEqual([1_600_000_000n, 999_999_999n]);
  });

  it('readdir pages resume at the host cookie, whatever the page size', async () => {
    const { client } = await serve({ security: 'passthrough' }, (dir) => {
      for (let i = 0; i < 300; i++)
        writeFileSync(join(dir, `entry-${i}-${'x'.repeat(i % 40)}`), '');
    });
    const fid = await client.walk('');
    await client.open(fid, OpenFlags.RDONLY | OpenFlags.DIRECTORY);
    const names: string[] = [];
    let offset = 0n;
    for (;;) {
      // A page that holds only a few entries: the server drops what does not fit.
      const r = await client.conn.rpc({ type: 'Treaddir', fid, offset, count: 200 });
      const page = decodeDirents(r.data);
      if (page.length === 0) break;
      names.push(...page.map((e) => e.name));
      offset = page.at(-1)?.offset ?? offset;
    }
    await client.clunk(fid);
    expect(names.length).toBe(302);
    expect(new Set(names).size).toBe(302);
  });
});
