import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemFs } from '../../src/fs/memory.js';
import { syntheticFs } from '../../src/fs/synthetic.js';
import { encodeMessage } from '../../src/protocol/codec.js';
import { NOTAG } from '../../src/protocol/constants.js';
import { Errno } from '../../src/protocol/errno.js';
import { createServer, type P9Server } from '../../src/server/server.js';
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
