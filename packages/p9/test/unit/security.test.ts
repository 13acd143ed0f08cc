import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Dir } from '@multiverse-os/fsat';
import { afterEach, describe, expect, it } from 'vitest';
import { connect, type P9Client } from '../../src/client/p9-client.js';
import { LocalFs, type LocalFsOptions } from '../../src/fs/local.js';
import { SetattrMask } from '../../src/protocol/constants.js';
import { createServer, type P9Server } from '../../src/server/server.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function serve(
  options: LocalFsOptions,
  readonly = false,
): Promise<{ dir: string; client: P9Client; server: P9Server }> {
  const dir = mkdtempSync(join(tmpdir(), 'p9-sec-'));
  writeFileSync(join(dir, 'existing'), 'data');
  const server = createServer({ fs: new LocalFs(dir, options), readonly });
  const a = await server.listen('tcp:127.0.0.1:0');
  const client = await connect(`tcp:127.0.0.1:${a.kind === 'tcp' ? a.port : 0}`, { uid: 1000 });
  cleanups.push(async () => {
    client.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return { dir, client, server };
}

async function setattr(
  client: P9Client,
  path: string,
  valid: number,
  mode: number,
  uid: number,
  gid: number,
) {
  const fid = await client.walk(path);
  try {
    await client.conn.rpc({
      type: 'Tsetattr',
      fid,
      valid,
      mode,
      uid,
      gid,
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

describe('security models', () => {
  it('mapped: owners, modes and special files live in user.virtfs.* xattrs; host files stay server-owned', async () => {
    const { dir, client } = await serve({
      security: 'mapped',
      allowDevices: true,
      allowSetid: true,
    });
    const dfid = await client.walk('');
    await client.conn.rpc({
      type: 'Tlcreate',
      fid: dfid,
      name: 'f',
      flags: 1,
      mode: 0o400,
      gid: 2000,
    });
    await client.clunk(dfid);
    let st = await client.stat('f');
    expect([st.uid, st.gid, st.mode]).toEqual([1000, 2000, 0o100400]);
    const host = statSync(join(dir, 'f'));
    expect(host.uid).toBe(process.getuid?.());
    expect(host.mode & 0o600).toBe(0o600); // still readable and writable by the server
    await setattr(
      client,
      'f',
      SetattrMask.UID | SetattrMask.GID | SetattrMask.MODE,
      0o4750,
      42,
      43,
    );
    st = await client.stat('f');
    expect([st.uid, st.gid, st.mode]).toEqual([42, 43, 0o104750]);
    const d2 = await client.walk('');
    await client.conn.rpc({
      type: 'Tmknod',
      dfid: d2,
      name: 'fifo',
      mode: 0o010644,
      major: 0,
      minor: 0,
      gid: 0,
    });
    await client.conn.rpc({
      type: 'Tmknod',
      dfid: d2,
      name: 'null',
      mode: 0o020666,
      major: 1,
      minor: 3,
      gid: 0,
    });
    await client.clunk(d2);
    expect((await client.stat('fifo')).mode).toBe(0o010644);
    const nul = await client.stat('null');
    expect([nul.mode, nul.rdev]).toEqual([0o020666, (1n << 8n) | 3n]);
    expect(statSync(join(dir, 'null')).isFile()).toBe(true);
    // QEMU's mapped-xattr layout: little-endian uint32 owners and mode, uint64 dev_t.
    const exported = Dir.open(dir);
    try {
      const le32 = (v: number) => Buffer.from(Uint32Array.of(v).buffer);
      expect(exported.getxattr('f', 'user.virtfs.uid')).toEqual(le32(42));
      expect(exported.getxattr('f', 'user.virtfs.gid')).toEqual(le32(43));
      expect(exported.getxattr('f', 'user.virtfs.mode')).toEqual(le32(0o104750));
      expect(exported.getxattr('null', 'user.virtfs.mode')).toEqual(le32(0o020666));
      expect(exported.getxattr('null', 'user.virtfs.rdev')).toEqual(
        Buffer.from(BigUint64Array.of(0x103n).buffer),
      );
    } finally {
      exported.close();
    }
    // A client can neither see nor forge them.
    await expect(
      client.conn.rpc({
        type: 'Txattrwalk',
        fid: client.rootFid,
        newfid: 90,
        name: 'user.virtfs.uid',
      }),
    ).rejects.toMatchObject({ errnoName: 'ENODATA' });
  });

  it('squash: every file appears owned by the squash user and chown is ignored', async () => {
    const { dir, client } = await serve({ security: 'squash', squashUid: 777, squashGid: 778 });
    await setattr(client, 'existing', SetattrMask.UID | SetattrMask.GID, 0, 1, 1);
    const st = await client.stat('existing');
    expect([st.uid, st.gid]).toEqual([777, 778]);
    expect(statSync(join(dir, 'existing')).uid).toBe(process.getuid?.());
  });

  it('passthrough (as root): chown reaches the host', async () => {
    if (process.getuid?.() !== 0) throw new Error('this test needs root (CI runs as root)');
    const { dir, client } = await serve({ security: 'passthrough' });
    await setattr(client, 'existing', SetattrMask.UID | SetattrMask.GID, 0, 4321, 8765);
    const host = statSync(join(dir, 'existing'));
    expect([host.uid, host.gid]).toEqual([4321, 8765]);
  });

  it('read-only exports refuse every change with EROFS but serve reads', async () => {
    const { dir, client } = await serve({}, true);
    expect((await client.readFile('existing')).toString()).toBe('data');
    await expect(client.writeFile('new', 'x')).rejects.toMatchObject({ errnoName: 'EROFS' });
    await expect(client.mkdir('d')).rejects.toMatchObject({ errnoName: 'EROFS' });
    await expect(client.remove('existing')).rejects.toMatchObject({ errnoName: 'EROFS' });
    const fid = await client.walk('existing');
    await expect(client.open(fid, 2)).rejects.toMatchObject({ errnoName: 'EROFS' });
    await client.clunk(fid);
    expect(readFileSync(join(dir, 'existing'), 'utf8')).toBe('data');
  });
});
