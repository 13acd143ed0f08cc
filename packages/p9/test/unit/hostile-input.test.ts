import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect } from '../../src/client/p9-client.js';
import { LocalFs } from '../../src/fs/local.js';
import { MemFs } from '../../src/fs/memory.js';
import { syntheticFs } from '../../src/fs/synthetic.js';
import { encodeMessage } from '../../src/protocol/codec.js';
import { NOTAG } from '../../src/protocol/constants.js';
import { Errno } from '../../src/protocol/errno.js';
import type { Message } from '../../src/protocol/messages.js';
import {
  DescriptorBudget,
  defaultDescriptorBudget,
  openFileLimit,
} from '../../src/server/budget.js';
import { createServer, type P9Server, type ServerOptions } from '../../src/server/server.js';
import { b } from './support/bytes.js';
import { RawConn } from './support/raw.js';

// A peer that does not play by the protocol: out-of-order sessions, unknown types, broken
// frames, floods. Each case checks the answer and that another connection keeps working.

const MAX_PENDING = 16;
let server: P9Server;
let port: number;
/** Lines the server traced: counts what it actually took from a connection. */
const traced: string[] = [];
/** Reads of `stuck` that ignore Tflush until the test lets them go. */
const releaseStuck: (() => void)[] = [];

beforeAll(async () => {
  const mem = new MemFs();
  mem.writeFile('file', 'content');
  const synthetic = syntheticFs({
    stuck: {
      read: () =>
        new Promise<Buffer>((resolve) => {
          releaseStuck.push(() => resolve(Buffer.from('late')));
        }),
    },
  });
  server = createServer({
    fs: {
      attach: (aname, cred) => (aname === 'synthetic' ? synthetic : mem).attach(aname, cred),
    },
    maxPending: MAX_PENDING,
    trace: (line) => traced.push(line),
  });
  const a = await server.listen('tcp:127.0.0.1:0');
  port = a.kind === 'tcp' ? a.port : 0;
});

afterAll(async () => {
  for (const r of releaseStuck.splice(0)) r();
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

const attach = (tag: number, fid = 0, aname = '') =>
  ({ type: 'Tattach', tag, fid, afid: 0xffffffff, uname: 'root', aname, nUname: 0 }) as const;

describe('session state: nothing but Tversion until a version is agreed', () => {
  it('refuses Tattach (and any other request) before the first Tversion with EPROTO', async () => {
    const c = await RawConn.open(port);
    expect(await c.rpc(attach(1))).toMatchObject({ type: 'Rlerror', ecode: Errno.EPROTO });
    expect(
      await c.rpc({ type: 'Tauth', tag: 2, afid: 5, uname: '', aname: '', nUname: 0 }),
    ).toMatchObject({ type: 'Rlerror', ecode: Errno.EPROTO });
    expect(await c.rpc({ type: 'Tflush', tag: 3, oldtag: 1 })).toMatchObject({
      type: 'Rlerror',
      ecode: Errno.EPROTO,
    });
    // The connection is still usable: a proper handshake works afterwards.
    expect(c.closed).toBe(false);
    await c.handshake();
    expect(await c.rpc({ type: 'Tgetattr', tag: 4, fid: 0, requestMask: 0x7ffn })).toMatchObject({
      type: 'Rgetattr',
    });
    c.close();
  });

  it('refuses Tattach after a Tversion answered "unknown", and after a failed Tversion', async () => {
    const c = await RawConn.open(port);
    for (const version of ['9P2000.u', '9P2000', 'garbage', '']) {
      const r = await c.rpc({ type: 'Tversion', tag: NOTAG, msize: 65536, version });
      expect(r).toMatchObject({ type: 'Rversion', version: 'unknown' });
      expect(await c.rpc(attach(1))).toMatchObject({ type: 'Rlerror', ecode: Errno.EPROTO });
    }
    // msize below the minimum: Rlerror, and still no session.
    expect(
      await c.rpc({ type: 'Tversion', tag: NOTAG, msize: 100, version: '9P2000.L' }),
    ).toMatchObject({ type: 'Rlerror', ecode: Errno.EINVAL });
    expect(await c.rpc(attach(1))).toMatchObject({ type: 'Rlerror', ecode: Errno.EPROTO });
    c.close();
  });

  it('a second Tversion closes the session again until it is answered', async () => {
    const c = await RawConn.open(port);
    await c.handshake();
    // An agreed session, then an "unknown" one: the fid from before is gone and no new one
    // can be made.
    await c.rpc({ type: 'Tversion', tag: NOTAG, msize: 65536, version: '9P1' });
    expect(await c.rpc({ type: 'Tclunk', tag: 2, fid: 0 })).toMatchObject({
      ecode: Errno.EPROTO,
    });
    expect(await c.rpc(attach(3))).toMatchObject({ ecode: Errno.EPROTO });
    await c.handshake();
    expect(await c.rpc({ type: 'Tclunk', tag: 2, fid: 0 })).toMatchObject({ type: 'Rclunk' });
    c.close();
  });

  it('refuses a large frame before a version is agreed (8 KiB), accepts it after', async () => {
    const c = await RawConn.open(port);
    c.send(b().u32(0).u64(0n).u32(9000).raw(Buffer.alloc(9000)).frame(118, 5));
    await c.until(() => false, 300);
    expect(c.closed).toBe(true);
    const d = await RawConn.open(port);
    await d.handshake();
    d.send({ type: 'Twalk', tag: 2, fid: 0, newfid: 1, names: ['file'] });
    const w = await d.rpc({ type: 'Tlopen', tag: 3, fid: 1, flags: 2 });
    expect(w.type).toBe('Rlopen');
    const big = await d.rpc({
      type: 'Twrite',
      tag: 4,
      fid: 1,
      offset: 0n,
      data: Buffer.alloc(9000, 0x61),
    });
    expect(big).toMatchObject({ type: 'Rwrite', count: 9000 });
    d.close();
  });
});

describe('message types the server does not serve', () => {
  it('answers unknown and legacy types with Rlerror(EOPNOTSUPP) and keeps the connection', async () => {
    const c = await RawConn.open(port);
    await c.handshake();
    // 0 and 255: undefined; 112/114/124 Topen/Tcreate/Tstat of 9P2000; 106 Terror;
    // 117 Rread and 7 Rlerror: replies sent to the server.
    const types = [0, 1, 6, 106, 112, 114, 124, 126, 200, 255, 117, 7, 101];
    types.forEach((type, i) => {
      c.send(
        b()
          .u32(0)
          .u16(3)
          .frame(type, 10 + i),
      );
    });
    await c.until(() => c.replies.length >= types.length);
    types.forEach((_type, i) => {
      expect(c.reply(10 + i)).toMatchObject({ type: 'Rlerror', ecode: Errno.EOPNOTSUPP });
    });
    expect(c.closed).toBe(false);
    expect(
      await c.rpc({ type: 'Twalk', tag: 2, fid: 0, newfid: 1, names: ['file'] }),
    ).toMatchObject({ type: 'Rwalk' });
    c.close();
  });

  it('answers an unknown type even before a version is agreed', async () => {
    const c = await RawConn.open(port);
    c.send(b().frame(250, 9));
    await c.until(() => c.replies.length > 0);
    expect(c.reply(9)).toMatchObject({ type: 'Rlerror', ecode: Errno.EOPNOTSUPP });
    await c.handshake();
    c.close();
  });
});

describe('frames', () => {
  it('closes on a size field below the header or above msize, before and after Tversion', async () => {
    for (const handshake of [false, true]) {
      for (const size of [0, 1, 4, 6, 65537, 0x7fffffff, 0xffffffff]) {
        const c = await RawConn.open(port);
        if (handshake) await c.handshake();
        c.send(b().u32(size).u8(110).u16(5).buffer());
        await c.until(() => false, 200);
        expect(c.closed, `size ${size}`).toBe(true);
      }
    }
    await healthy();
  });

  it('a frame cut into single bytes is reassembled', async () => {
    const c = await RawConn.open(port);
    await c.handshake();
    const frame = encodeMessage({ type: 'Twalk', tag: 7, fid: 0, newfid: 1, names: ['file'] });
    for (const byte of frame) {
      c.sock.write(Buffer.from([byte]));
      await new Promise((r) => setImmediate(r));
    }
    await c.until(() => c.reply(7) !== undefined);
    expect(c.reply(7)?.type).toBe('Rwalk');
    c.close();
  });
});

describe('tags', () => {
  it('refuses NOTAG on anything but Tversion (it would escape the in-flight bound)', async () => {
    const c = await RawConn.open(port);
    await c.handshake();
    expect(
      await c.rpc({ type: 'Twalk', tag: NOTAG, fid: 0, newfid: 1, names: ['file'] }),
    ).toMatchObject({ type: 'Rlerror', ecode: Errno.EINVAL });
    // newfid 1 was not made.
    expect(await c.rpc({ type: 'Tclunk', tag: 2, fid: 1 })).toMatchObject({
      ecode: Errno.EBADF,
    });
    c.close();
  });

  it('answers a tag reused while in flight with EINVAL and keeps the original request', async () => {
    const c = await RawConn.open(port);
    await c.rpc({ type: 'Tversion', tag: NOTAG, msize: 65536, version: '9P2000.L' });
    await c.rpc(attach(1, 0, 'synthetic'));
    await c.rpc({ type: 'Twalk', tag: 2, fid: 0, newfid: 1, names: ['stuck'] });
    await c.rpc({ type: 'Tlopen', tag: 3, fid: 1, flags: 0 });
    c.send({ type: 'Tread', tag: 40, fid: 1, offset: 0n, count: 10 });
    await c.until(() => releaseStuck.length > 0, 1000);
    const dup = await c.rpc({ type: 'Tgetattr', tag: 40, fid: 0, requestMask: 0x7ffn });
    expect(dup).toMatchObject({ type: 'Rlerror', ecode: Errno.EINVAL });
    for (const r of releaseStuck.splice(0)) r();
    await c.until(() => c.reply(40) !== undefined);
    expect(c.reply(40)).toMatchObject({ type: 'Rread' });
    c.close();
  });
});

describe('floods', () => {
  it('a Tflush storm is bounded by maxPending: the server stops reading, then answers all', async () => {
    const c = await RawConn.open(port);
    await c.rpc({ type: 'Tversion', tag: NOTAG, msize: 65536, version: '9P2000.L' });
    await c.rpc(attach(1, 0, 'synthetic'));
    await c.rpc({ type: 'Twalk', tag: 2, fid: 0, newfid: 1, names: ['stuck'] });
    await c.rpc({ type: 'Tlopen', tag: 3, fid: 1, flags: 0 });
    c.send({ type: 'Tread', tag: 40, fid: 1, offset: 0n, count: 10 });
    await c.until(() => releaseStuck.length > 0, 1000);
    // The read ignores Tflush, so every flush waits for it.
    const storm = 20_000;
    const before = traced.filter((l) => l.includes('<- Tflush')).length;
    const frames: Buffer[] = [];
    for (let i = 0; i < storm; i++) {
      frames.push(encodeMessage({ type: 'Tflush', tag: 1000 + (i % 60000), oldtag: 40 }));
    }
    c.send(Buffer.concat(frames));
    await new Promise((r) => setTimeout(r, 500));
    const taken = traced.filter((l) => l.includes('<- Tflush')).length - before;
    expect(taken).toBeGreaterThan(0);
    expect(taken).toBeLessThanOrEqual(MAX_PENDING);
    await healthy();
    for (const r of releaseStuck.splice(0)) r();
    await c.until(() => c.replies.filter((r) => r.type === 'Rflush').length >= storm, 15_000);
    // Tags repeat after 60000 only; every flush got its Rflush once the read finished.
    expect(c.replies.filter((r) => r.type === 'Rflush').length).toBe(storm);
    c.close();
  }, 30_000);

  it('two Tflush naming each other, and a Tflush naming itself, are answered at once', async () => {
    const c = await RawConn.open(port);
    await c.handshake();
    c.send(
      Buffer.concat([
        encodeMessage({ type: 'Tflush', tag: 20, oldtag: 21 }),
        encodeMessage({ type: 'Tflush', tag: 21, oldtag: 20 }),
        encodeMessage({ type: 'Tflush', tag: 22, oldtag: 22 }),
      ]),
    );
    await c.until(() => c.replies.length >= 3);
    expect(c.replies.map((r) => `${r.type}:${r.tag}`).sort()).toEqual([
      'Rflush:20',
      'Rflush:21',
      'Rflush:22',
    ]);
    c.close();
  });

  it('a peer that floods unknown types without reading replies is no longer read', async () => {
    const c = await RawConn.open(port);
    await c.handshake();
    c.sock.pause();
    const errorsBefore = server.stats().protocolErrors;
    // 2 million 7-byte frames (14 MB): the replies (22 MB) outgrow the server's unsent cap.
    const chunk = Buffer.concat(Array.from({ length: 10_000 }, () => b().frame(250, 1)));
    let sent = 0;
    for (let i = 0; i < 200; i++) {
      c.sock.write(chunk);
      sent += 10_000;
    }
    await new Promise((r) => setTimeout(r, 1500));
    const answered = server.stats().protocolErrors - errorsBefore;
    expect(answered).toBeGreaterThan(0);
    expect(answered).toBeLessThan(sent);
    c.close();
    await healthy();
  }, 30_000);
});

describe('descriptor budget (issue 23): one connection cannot starve the others', () => {
  it('reads the open-file limit from /proc/self/limits and keeps headroom for the process', () => {
    const sample = [
      'Limit                     Soft Limit           Hard Limit           Units     ',
      'Max processes             63704                63704                processes ',
      'Max open files            20000                524288               files     ',
    ].join('\n');
    expect(openFileLimit(() => sample)).toBe(20000);
    expect(openFileLimit(() => 'Max open files unlimited unlimited files')).toBeUndefined();
    expect(
      openFileLimit(() => {
        throw new Error('no /proc');
      }),
    ).toBeUndefined();
    expect(openFileLimit()).toBeGreaterThan(0);
    expect(defaultDescriptorBudget(20000)).toBe(17500);
    expect(defaultDescriptorBudget(256)).toBe(192);
    const budget = new DescriptorBudget(200, 4);
    expect([budget.reserve, budget.pool]).toEqual([25, 100]);
  });

  it('a connection walking fids gets ENFILE at its share; others still walk, open and read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'p9-budget-'));
    writeFileSync(join(dir, 'file'), 'content');
    const small = createServer({
      fs: new LocalFs(dir),
      maxDescriptors: 200,
      maxConnections: 4,
    });
    const a = await small.listen('tcp:127.0.0.1:0');
    const smallPort = a.kind === 'tcp' ? a.port : 0;
    try {
      const hog = await RawConn.open(smallPort);
      await hog.handshake();
      let made = 1; // the root fid
      let refused: Message | undefined;
      for (let i = 0; i < 1000 && !refused; i++) {
        const r = await hog.rpc({ type: 'Twalk', tag: 2, fid: 0, newfid: 10 + i, names: ['file'] });
        if (r.type === 'Rwalk') made++;
        else refused = r;
      }
      expect(refused).toMatchObject({ type: 'Rlerror', ecode: Errno.ENFILE });
      // Its socket and fids: 25 of its reserve and the whole shared pool of 100.
      expect(made + 1).toBe(125);
      expect(small.stats().descriptors).toMatchObject({ budget: 200, pool: 100, poolInUse: 100 });
      // An open counts too: the hog cannot open one of its fids either.
      expect(await hog.rpc({ type: 'Tlopen', tag: 3, fid: 10, flags: 0 })).toMatchObject({
        ecode: Errno.ENFILE,
      });
      // Three more connections (maxConnections 4) each still have their reserve.
      for (let n = 0; n < 3; n++) {
        const other = await connect(`tcp:127.0.0.1:${smallPort}`);
        expect((await other.readFile('file')).toString()).toBe('content');
        const fids: number[] = [];
        for (let i = 0; i < 20; i++) fids.push(await other.walk('file'));
        other.close();
      }
      // Clunking gives units back to the pool.
      expect(await hog.rpc({ type: 'Tclunk', tag: 4, fid: 10 })).toMatchObject({ type: 'Rclunk' });
      expect(await hog.rpc({ type: 'Tlopen', tag: 5, fid: 11, flags: 0 })).toMatchObject({
        type: 'Rlopen',
      });
      hog.close();
      await hog.until(() => false, 100);
      await new Promise((r) => setTimeout(r, 100));
      expect(small.stats().descriptors.poolInUse).toBe(0);
    } finally {
      await small.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 20_000);

  it('with the default budget (from RLIMIT_NOFILE), a hog stops at ENFILE and a second mount works', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'p9-budget-'));
    writeFileSync(join(dir, 'file'), 'content');
    const dflt = createServer({ fs: new LocalFs(dir) });
    const a = await dflt.listen('tcp:127.0.0.1:0');
    const dfltPort = a.kind === 'tcp' ? a.port : 0;
    try {
      const hog = await RawConn.open(dfltPort);
      await hog.handshake();
      // Pipelined walks in batches: each fid holds a real O_PATH descriptor in LocalFs.
      let refused = 0;
      let next = 10;
      const limit = openFileLimit() ?? 1024;
      while (refused === 0 && next < limit + 10) {
        const tags: number[] = [];
        for (let i = 0; i < 500; i++, next++) {
          const tag = 1000 + (next % 50_000);
          hog.send({ type: 'Twalk', tag, fid: 0, newfid: next, names: ['file'] });
          tags.push(tag);
        }
        await hog.until(() => hog.replies.length >= tags.length, 10_000);
        refused = hog.replies.filter(
          (r) => r.type === 'Rlerror' && r.ecode === Errno.ENFILE,
        ).length;
        expect(hog.replies.every((r) => r.type === 'Rwalk' || r.type === 'Rlerror')).toBe(true);
        hog.replies.length = 0;
      }
      expect(refused).toBeGreaterThan(0);
      expect(hog.closed).toBe(false);
      // The process still has descriptors, and a well-behaved second client works.
      const other = await connect(`tcp:127.0.0.1:${dfltPort}`);
      expect((await other.readFile('file')).toString()).toBe('content');
      other.close();
      hog.close();
    } finally {
      await dflt.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('timeouts and the connection limit (issue 23): half-open and idle connections', () => {
  async function serverWith(options: Partial<ServerOptions>): Promise<[P9Server, number]> {
    const mem = new MemFs();
    mem.writeFile('file', 'content');
    const s = createServer({ fs: mem, ...options });
    const a = await s.listen('tcp:127.0.0.1:0');
    return [s, a.kind === 'tcp' ? a.port : 0];
  }

  it('closes a connection whose frame stays incomplete past frameTimeout', async () => {
    const [s, p] = await serverWith({ frameTimeout: 300, idleTimeout: 0 });
    try {
      const c = await RawConn.open(p);
      await c.handshake();
      const frame = encodeMessage({ type: 'Twalk', tag: 2, fid: 0, newfid: 1, names: ['file'] });
      c.sock.write(frame.subarray(0, 9));
      const started = Date.now();
      await c.until(() => c.closed, 3000);
      expect(c.closed).toBe(true);
      expect(Date.now() - started).toBeGreaterThanOrEqual(250);
      // A frame sent slowly but completed in time is fine, and so is a connection that
      // simply waits between frames.
      const d = await RawConn.open(p);
      await d.handshake();
      d.sock.write(frame.subarray(0, 9));
      await new Promise((r) => setTimeout(r, 150));
      d.sock.write(frame.subarray(9));
      await d.until(() => d.reply(2) !== undefined);
      expect(d.reply(2)?.type).toBe('Rwalk');
      await new Promise((r) => setTimeout(r, 500));
      expect(d.closed).toBe(false);
      d.close();
    } finally {
      await s.close();
    }
  });

  it('closes connections holding no fid past idleTimeout, whatever they send; mounts stay', async () => {
    const [s, p] = await serverWith({ idleTimeout: 300, frameTimeout: 0 });
    try {
      const silent = await RawConn.open(p);
      const chatty = await RawConn.open(p);
      const mounted = await RawConn.open(p);
      await mounted.handshake();
      const chatter = setInterval(() => {
        chatty.send({ type: 'Tversion', tag: NOTAG, msize: 8192, version: 'unknown' });
      }, 50);
      await new Promise((r) => setTimeout(r, 800));
      clearInterval(chatter);
      expect(silent.closed).toBe(true);
      expect(chatty.closed).toBe(true);
      expect(mounted.closed).toBe(false);
      expect(await mounted.rpc({ type: 'Tclunk', tag: 2, fid: 0 })).toMatchObject({
        type: 'Rclunk',
      });
      // Holding no fid now: the clock starts again.
      await mounted.until(() => mounted.closed, 2000);
      expect(mounted.closed).toBe(true);
      expect(s.stats().idleClosed).toBe(3);
    } finally {
      await s.close();
    }
  });

  it('at maxConnections, a new client replaces the oldest connection without fids', async () => {
    const [s, p] = await serverWith({ maxConnections: 3, idleTimeout: 0, frameTimeout: 0 });
    try {
      // Three half-open connections, each with half a frame: the slots are full.
      const halfOpen: RawConn[] = [];
      for (let i = 0; i < 3; i++) {
        const c = await RawConn.open(p);
        c.sock.write(Buffer.from([64, 0, 0]));
        halfOpen.push(c);
      }
      await new Promise((r) => setTimeout(r, 100));
      const client = await connect(`tcp:127.0.0.1:${p}`);
      expect((await client.readFile('file')).toString()).toBe('content');
      await halfOpen[0]?.until(() => halfOpen[0]?.closed === true, 1000);
      expect(halfOpen.map((c) => c.closed)).toEqual([true, false, false]);
      expect(s.stats().evicted).toBe(1);
      // When every connection holds a fid, a newcomer is refused instead.
      const more = [await connect(`tcp:127.0.0.1:${p}`), await connect(`tcp:127.0.0.1:${p}`)];
      const late = await RawConn.open(p);
      await late.until(() => late.closed, 1000);
      expect(late.closed).toBe(true);
      expect(s.stats().rejectedConnections).toBe(1);
      expect((await client.readFile('file')).toString()).toBe('content');
      for (const c of [client, ...more]) c.close();
      for (const c of halfOpen) c.close();
    } finally {
      await s.close();
    }
  });

  it('refuses bad timeout and budget options with a typed error', () => {
    const fs = new MemFs();
    expect(() => createServer({ fs, frameTimeout: -1 })).toThrow(/frameTimeout/);
    expect(() => createServer({ fs, idleTimeout: 1.5 })).toThrow(/idleTimeout/);
    expect(() => createServer({ fs, maxDescriptors: 0 })).toThrow(/maxDescriptors/);
  });
});
