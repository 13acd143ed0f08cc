import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  connectHybrid,
  HybridAckTimeoutError,
  HybridAckTooLongError,
  HybridBadAckError,
  HybridConnectionClosedError,
  type HybridError,
  HybridSocketNotFoundError,
  listenHybrid,
  VsockAbortError,
} from '../../src/index.js';
import { FakeHybridMuxer, once, readAll } from '../../src/testing/index.js';

let dir: string;
let muxer: FakeHybridMuxer;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mv-vsock-hybrid-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeEach(async () => {
  muxer = await FakeHybridMuxer.start({ udsPath: join(dir, 'v.sock') });
});
afterEach(async () => {
  await muxer.close();
});

async function rejection(promise: Promise<unknown>): Promise<HybridError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as HybridError;
}

describe('connectHybrid against the fake muxer', () => {
  it('handshakes, reports the host port, and keeps the guest bytes that came with OK', async () => {
    muxer.listenGuest(52, (guest) => {
      guest.write('guest speaks first;');
      guest.pipe(guest);
    });
    const socket = await connectHybrid(muxer.udsPath, 52);
    expect(socket.guestPort).toBe(52);
    expect(socket.hostPort).toBe(1 << 30);
    expect(muxer.requests).toEqual(['CONNECT 52']);
    socket.end('echo me');
    expect((await readAll(socket)).toString()).toBe('guest speaks first;echo me');
    const second = await connectHybrid(muxer.udsPath, 52);
    expect(second.hostPort).toBe((1 << 30) + 1);
    second.destroy();
  });

  it('a missing Unix socket is HybridSocketNotFoundError', async () => {
    const error = await rejection(connectHybrid(join(dir, 'nope.sock'), 52));
    expect(error).toBeInstanceOf(HybridSocketNotFoundError);
    expect(error.code).toBe('ERR_HYBRID_SOCKET_NOT_FOUND');
    expect(error.message).toContain(`hybrid:${join(dir, 'nope.sock')}:52`);
    expect((error.cause as NodeJS.ErrnoException).code).toBe('ENOENT');
  });

  it('a path that is not a socket is HybridSocketNotFoundError too', async () => {
    const file = join(dir, 'plain-file');
    writeFileSync(file, '');
    const error = await rejection(connectHybrid(file, 52));
    expect(error).toBeInstanceOf(HybridSocketNotFoundError);
  });

  it('no guest listening: the muxer closes, HybridConnectionClosedError', async () => {
    const error = await rejection(connectHybrid(muxer.udsPath, 9999));
    expect(error).toBeInstanceOf(HybridConnectionClosedError);
    expect(error.code).toBe('ERR_HYBRID_CONNECTION_CLOSED');
    expect(error.port).toBe(9999);
  });

  it('a bad acknowledgement is HybridBadAckError with what was received', async () => {
    muxer.ack = { reply: 'NOPE\n' };
    const error = await rejection(connectHybrid(muxer.udsPath, 52));
    expect(error).toBeInstanceOf(HybridBadAckError);
    expect((error as HybridBadAckError).received).toBe('NOPE');
    expect(error.code).toBe('ERR_HYBRID_BAD_ACK');
  });

  it('an endless line instead of an acknowledgement is HybridAckTooLongError', async () => {
    muxer.ack = { reply: 'X'.repeat(100) };
    const error = await rejection(connectHybrid(muxer.udsPath, 52));
    expect(error).toBeInstanceOf(HybridAckTooLongError);
    expect(error.code).toBe('ERR_HYBRID_ACK_TOO_LONG');
  });

  it('a silent muxer is HybridAckTimeoutError', async () => {
    muxer.ack = 'silent';
    const error = await rejection(connectHybrid(muxer.udsPath, 52, { timeout: 150 }));
    expect(error).toBeInstanceOf(HybridAckTimeoutError);
    expect(error.code).toBe('ERR_HYBRID_ACK_TIMEOUT');
    expect(error.message).toMatch(/no acknowledgement within 150 ms/);
  });

  it('an abort signal stops the handshake', async () => {
    muxer.ack = 'silent';
    const controller = new AbortController();
    const pending = connectHybrid(muxer.udsPath, 52, { signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    const error = await rejection(pending);
    expect(error).toBeInstanceOf(VsockAbortError);
    expect(error.code).toBe('ABORT_ERR');
    const already = await rejection(
      connectHybrid(muxer.udsPath, 52, { signal: AbortSignal.abort() }),
    );
    expect(already).toBeInstanceOf(VsockAbortError);
  });

  it('rejects an invalid port before connecting', () => {
    expect(() => connectHybrid(muxer.udsPath, -1)).toThrow(/port: a port must be an integer/);
  });
});

describe('listenHybrid', () => {
  it('accepts guest-initiated connections on <uds>_<port>, replacing a stale file', async () => {
    writeFileSync(`${muxer.udsPath}_7000`, 'stale');
    const accepted: Socket[] = [];
    const server = await listenHybrid(muxer.udsPath, 7000, (socket) => {
      accepted.push(socket);
      socket.end('hello guest');
    });
    const guest = await muxer.connectFromGuest(7000);
    expect((await readAll(guest)).toString()).toBe('hello guest');
    expect(accepted).toHaveLength(1);
    server.close();
    await once(server, 'close');
  });
});
