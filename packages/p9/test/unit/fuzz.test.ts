import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemFs } from '../../src/fs/memory.js';
import { syntheticFs } from '../../src/fs/synthetic.js';
import { encodeMessage } from '../../src/protocol/codec.js';
import { Errno } from '../../src/protocol/errno.js';
import { createServer, type P9Server } from '../../src/server/server.js';
import { fixtures } from './fixtures.js';
import { b } from './support/bytes.js';
import { RawConn } from './support/raw.js';

let server: P9Server;
let port: number;
let blockedReads = 0;
let abortedReads = 0;

beforeAll(async () => {
  const mem = new MemFs();
  mem.writeFile('file', 'content');
  mem.writeFile('big', Buffer.alloc(1 << 20, 1));
  const follow = {
    // A log that never has new data: each read waits until the client flushes it.
    read: (_o: bigint, _n: number, signal: AbortSignal) =>
      new Promise<Buffer>((_resolve, reject) => {
        blockedReads++;
        signal.addEventListener('abort', () => {
          abortedReads++;
          reject(signal.reason);
        });
      }),
  };
  server = createServer({
    fs: {
      attach: (aname, cred) =>
        (aname === 'synthetic' ? syntheticFs({ follow, status: 'ok\n' }) : mem).attach(aname, cred),
    },
    maxFids: 64,
    maxPending: 32,
  });
  const a = await server.listen('tcp:127.0.0.1:0');
  port = a.kind === 'tcp' ? a.port : 0;
});

afterAll(async () => {
  await server?.close();
});

/** A second connection that must keep working whatever the first one did. */
async function healthy(): Promise<void> {
  const c = await RawConn.open(port);
  await c.handshake();
  const r = await c.rpc({ type: 'Twalk', tag: 2, fid: 0, newfid: 1, names: ['file'] });
  expect(r.type).toBe('Rwalk');
  c.close();
}

describe('hostile input', () => {
  it('closes on a size above msize or below the header, and others keep working', async () => {
    for (const size of [0, 3, 6, 65537, 0xffffffff]) {
      const c = await RawConn.open(port);
      await c.handshake();
      c.send(b().u32(size).u8(110).u16(5).buffer());
      await c.until(() => false, 300);
      expect(c.closed).toBe(true);
    }
    await healthy();
  });

  it('answers Rlerror for string lengths past the frame and counts that overflow', async () => {
    const c = await RawConn.open(port);
    await c.handshake();
    const frames = [
      b().u32(0).u32(9).u16(1).u16(0xffff).raw([0x61]).frame(110, 10), // Twalk name length
      b().u32(0).u64(0n).u32(0xffffffff).raw([1, 2, 3]).frame(118, 11), // Twrite count
      b().u32(0).u32(9).u16(0xffff).frame(110, 12), // Twalk nwname
      b().u32(0).frame(12, 13), // Tlopen cut short
    ];
    for (const f of frames) c.send(f);
    await c.until(() => c.replies.length >= frames.length);
    for (const tag of [10, 11, 12, 13]) {
      expect(c.reply(tag)).toMatchObject({ type: 'Rlerror', ecode: Errno.EPROTO });
    }
    expect(c.closed).toBe(false);
    c.close();
    await healthy();
  });

  it('refuses fid reuse and unknown fids with EBADF, and caps fids per connection', async () => {
    const c = await RawConn.open(port);
    await c.handshake();
    expect(await c.rpc({ type: 'Twalk', tag: 2, fid: 0, newfid: 1, names: [] })).toMatchObject({
      type: 'Rwalk',
    });
    expect(await c.rpc({ type: 'Twalk', tag: 3, fid: 0, newfid: 1, names: [] })).toMatchObject({
      type: 'Rlerror',
      ecode: Errno.EBADF,
    });
    expect(await c.rpc({ type: 'Tclunk', tag: 4, fid: 12345 })).toMatchObject({
      ecode: Errno.EBADF,
    });
    let emfile = 0;
    for (let i = 0; i < 80; i++) {
      const r = await c.rpc({ type: 'Twalk', tag: 5, fid: 0, newfid: 100 + i, names: [] });
      if (r.type === 'Rlerror' && r.ecode === Errno.EMFILE) emfile++;
    }
    expect(emfile).toBe(80 - 62); // 64 fids: 0 and 1 already used
    c.close();
  });

  it('survives random and mutated frames: every frame gets a reply or the connection closes', async () => {
    const valid = fixtures.filter(
      (f) => f.value.type.startsWith('T') && f.value.type !== 'Tversion',
    );
    let seed = 12345;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let round = 0; round < 40; round++) {
      const c = await RawConn.open(port);
      await c.handshake();
      let sent = 0;
      for (let i = 0; i < 50 && !c.closed; i++) {
        let frame: Buffer;
        if (rand(3) === 0) {
          frame = randomBytes(7 + rand(60));
          frame.writeUInt32LE(frame.length, 0);
        } else {
          const fx = valid[rand(valid.length)];
          if (!fx) continue;
          frame = Buffer.from(fx.bytes);
          for (let k = 0; k < 1 + rand(4); k++) {
            const at = 7 + rand(Math.max(1, frame.length - 7));
            if (at < frame.length) frame[at] = rand(256);
          }
        }
        frame.writeUInt16LE(100 + i, 5);
        c.send(frame);
        sent++;
      }
      await c.until(() => c.replies.length >= sent, 2000);
      expect(c.closed || c.replies.length >= sent).toBe(true);
      c.close();
    }
    await healthy();
    expect(server.stats().protocolErrors).toBeGreaterThan(0);
  });
});

/** A raw connection past Tversion and Tattach (fid 0) to the synthetic tree. */
async function attachedToSynthetic(): Promise<RawConn> {
  const c = await RawConn.open(port);
  await c.rpc({ type: 'Tversion', tag: 0xffff, msize: 65536, version: '9P2000.L' });
  await c.rpc({
    type: 'Tattach',
    tag: 1,
    fid: 0,
    afid: 0xffffffff,
    uname: '',
    aname: 'synthetic',
    nUname: 0,
  });
  return c;
}

describe('Tflush', () => {
  it('cancels a blocked read: Rflush comes and the read never gets a reply', async () => {
    const c = await attachedToSynthetic();
    await c.rpc({ type: 'Twalk', tag: 2, fid: 0, newfid: 1, names: ['follow'] });
    await c.rpc({ type: 'Tlopen', tag: 3, fid: 1, flags: 0 });
    const before = abortedReads;
    c.send({ type: 'Tread', tag: 50, fid: 1, offset: 0n, count: 100 });
    await c.until(() => blockedReads > 0, 500);
    const flush = await c.rpc({ type: 'Tflush', tag: 51, oldtag: 50 });
    expect(flush.type).toBe('Rflush');
    expect(abortedReads).toBe(before + 1);
    // Nothing for tag 50, then or later; the connection still works.
    expect(await c.rpc({ type: 'Tclunk', tag: 52, fid: 1 })).toMatchObject({ type: 'Rclunk' });
    expect(c.reply(50)).toBeUndefined();
    c.close();
  });

  it('handles a storm of flushes, for live, finished and unknown tags', async () => {
    const c = await attachedToSynthetic();
    for (let i = 0; i < 20; i++) {
      await c.rpc({ type: 'Twalk', tag: 2, fid: 0, newfid: 10 + i, names: ['follow'] });
      await c.rpc({ type: 'Tlopen', tag: 3, fid: 10 + i, flags: 0 });
      c.send({ type: 'Tread', tag: 100 + i, fid: 10 + i, offset: 0n, count: 10 });
    }
    const frames = [];
    for (let i = 0; i < 300; i++)
      frames.push(encodeMessage({ type: 'Tflush', tag: 1000 + i, oldtag: 100 + (i % 40) }));
    c.send(Buffer.concat(frames));
    await c.until(() => c.replies.filter((r) => r.type === 'Rflush').length >= 300);
    expect(c.replies.filter((r) => r.type === 'Rflush').length).toBe(300);
    expect(c.replies.filter((r) => r.tag >= 100 && r.tag < 140).length).toBe(0);
    c.close();
    await healthy();
  }, 20_000);
});

describe('a client that does not read its replies', () => {
  it('stops being read, so server memory stays bounded', async () => {
    const c = await RawConn.open(port);
    await c.handshake();
    await c.rpc({ type: 'Twalk', tag: 2, fid: 0, newfid: 1, names: ['big'] });
    await c.rpc({ type: 'Tlopen', tag: 3, fid: 1, flags: 0 });
    c.sock.pause(); // never read replies from now on
    let written = 0;
    // Keep pushing requests for a while; once our socket buffer fills, writes back up.
    for (let i = 0; i < 20000; i++) {
      c.sock.write(encodeMessage({ type: 'Tread', tag: 10 + i, fid: 1, offset: 0n, count: 60000 }));
      written++;
    }
    await new Promise((r) => setTimeout(r, 1000));
    // 20,000 reads of 60 KB would be 1.2 GB of replies: the server stopped well before.
    const served = server.stats().ops.Tread?.count ?? 0;
    expect(served).toBeLessThan(2000);
    expect(written).toBe(20000);
    c.close();
    await healthy();
  }, 20_000);
});
