import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, type P9Client } from '../../src/client/p9-client.js';
import { RemoteError } from '../../src/errors.js';
import { MemFs } from '../../src/fs/memory.js';
import { LockStatus, LockType, OpenFlags } from '../../src/protocol/constants.js';
import { createServer, type P9Server } from '../../src/server/server.js';

let server: P9Server;
let client: P9Client;
let address: string;

beforeAll(async () => {
  const fs = new MemFs();
  fs.writeFile('hello.txt', 'hello world\n');
  server = createServer({ fs });
  const a = await server.listen('tcp:127.0.0.1:0');
  address = `tcp:127.0.0.1:${a.kind === 'tcp' ? a.port : 0}`;
  client = await connect(address);
});

afterAll(async () => {
  client?.close();
  await server?.close();
});

describe('server over MemFs, through our client', () => {
  it('negotiates 1 MiB msize', () => {
    expect(client.msize).toBe(1024 * 1024);
  });

  it('reads, writes, lists, renames and removes', async () => {
    expect((await client.readFile('hello.txt')).toString()).toBe('hello world\n');
    await client.mkdir('d');
    await client.writeFile('d/a', 'A'.repeat(3 * 1024 * 1024));
    expect((await client.stat('d/a')).size).toBe(3n * 1024n * 1024n);
    expect((await client.readFile('d/a')).length).toBe(3 * 1024 * 1024);
    await client.rename('d/a', 'b');
    expect((await client.readdir('')).map((e) => e.name).sort()).toEqual(['b', 'd', 'hello.txt']);
    await client.remove('b');
    await client.remove('d');
    await expect(client.stat('d')).rejects.toMatchObject({ errnoName: 'ENOENT' });
  });

  it('lists 10,000 entries across many Treaddir calls', async () => {
    await client.mkdir('many');
    const dfid = await client.walk('many');
    for (let i = 0; i < 10000; i++) {
      const fid = await client.walk([], dfid);
      await client.conn.rpc({
        type: 'Tlcreate',
        fid,
        name: `f${i}`,
        flags: 0,
        mode: 0o644,
        gid: 0,
      });
      await client.clunk(fid);
    }
    await client.clunk(dfid);
    const names = (await client.readdir('many')).map((e) => e.name);
    expect(names.length).toBe(10000);
    expect(new Set(names).size).toBe(10000);
  }, 30_000);

  it('keeps an unlinked open file readable (open-unlink-fstat)', async () => {
    await client.writeFile('tmp', 'still here');
    const fid = await client.walk('tmp');
    await client.open(fid, OpenFlags.RDONLY);
    await client.remove('tmp');
    expect((await client.getattr(fid)).nlink).toBe(0n);
    expect((await client.read(fid, 0n, 100)).toString()).toBe('still here');
    await client.clunk(fid);
  });

  it('answers getlock with the conflicting lock of another owner', async () => {
    await client.writeFile('locked', 'x');
    const a = await client.walk('locked');
    const b = await client.walk('locked');
    await client.open(a, OpenFlags.RDWR);
    await client.open(b, OpenFlags.RDWR);
    const lock = (fid: number, lockType: number, start: bigint, length: bigint, procId: number) =>
      client.conn.rpc({
        type: 'Tlock',
        fid,
        lockType,
        flags: 0,
        start,
        length,
        procId,
        clientId: 'c',
      });
    expect((await lock(a, LockType.WRLCK, 10n, 10n, 1)).status).toBe(LockStatus.SUCCESS);
    expect((await lock(b, LockType.RDLCK, 0n, 5n, 2)).status).toBe(LockStatus.SUCCESS);
    expect((await lock(b, LockType.RDLCK, 15n, 1n, 2)).status).toBe(LockStatus.BLOCKED);
    const g = await client.conn.rpc({
      type: 'Tgetlock',
      fid: b,
      lockType: LockType.WRLCK,
      start: 0n,
      length: 0n,
      procId: 2,
      clientId: 'c',
    });
    expect(g).toMatchObject({ lockType: LockType.WRLCK, start: 10n, length: 10n, procId: 1 });
    // Unlocking the middle splits the lock: 10..11 and 14..19 remain.
    expect((await lock(a, LockType.UNLCK, 12n, 2n, 1)).status).toBe(LockStatus.SUCCESS);
    expect((await lock(b, LockType.WRLCK, 12n, 2n, 2)).status).toBe(LockStatus.SUCCESS);
    expect((await lock(b, LockType.WRLCK, 11n, 1n, 2)).status).toBe(LockStatus.BLOCKED);
    await client.clunk(a);
    await client.clunk(b);
  });

  it('serves user xattrs and refuses trusted/security writes', async () => {
    await client.writeFile('x', '');
    const fid = await client.walk('x');
    await client.conn.rpc({ type: 'Txattrcreate', fid, name: 'user.k', attrSize: 3n, flags: 0 });
    await client.write(fid, 0n, Buffer.from('val'));
    await client.clunk(fid);
    const f2 = await client.walk('x');
    const nf = client.conn.allocFid();
    const r = await client.conn.rpc({ type: 'Txattrwalk', fid: f2, newfid: nf, name: 'user.k' });
    expect(r.size).toBe(3n);
    expect((await client.read(nf, 0n, 3)).toString()).toBe('val');
    await client.clunk(nf);
    await expect(
      client.conn.rpc({ type: 'Txattrcreate', fid: f2, name: 'trusted.k', attrSize: 1n, flags: 0 }),
    ).rejects.toMatchObject({ errnoName: 'EOPNOTSUPP' });
    await client.clunk(f2);
  });

  it('answers bad fids with EBADF and keeps going', async () => {
    await expect(client.conn.rpc({ type: 'Tclunk', fid: 999999 })).rejects.toBeInstanceOf(
      RemoteError,
    );
    expect((await client.readFile('hello.txt')).length).toBe(12);
  });

  it('counts operations', () => {
    const s = server.stats();
    expect(s.ops.Twalk?.count).toBeGreaterThan(0);
    expect(s.ops.Tclunk?.errors).toBeGreaterThan(0);
  });
});
