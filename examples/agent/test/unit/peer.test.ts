import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { encodeBody } from '../../src/protocol/codec.js';
import { encodeFrame, FrameType } from '../../src/protocol/frame.js';
import { RpcPeer } from '../../src/rpc/peer.js';
import { collectLines, duplexPair } from '../helpers.js';

function pair(window?: number) {
  const [a, b] = duplexPair();
  const hostLog = collectLines();
  const agentLog = collectLines();
  const host = new RpcPeer(a, { role: 'host', log: hostLog.log, ...(window ? { window } : {}) });
  const agent = new RpcPeer(b, { role: 'agent', log: agentLog.log, ...(window ? { window } : {}) });
  return { a, b, host, agent, hostLog: hostLog.lines, agentLog: agentLog.lines };
}

describe('RpcPeer', () => {
  it('answers several calls in flight, out of order, both ways', async () => {
    const { host, agent } = pair();
    agent.handle('delay', async ({ params }) => {
      const { ms } = params as { ms: number };
      await sleep(ms);
      return ms;
    });
    host.handle('echo', async ({ params }) => params);
    const results = await Promise.all([
      host.request('delay', { ms: 30 }),
      host.request('delay', { ms: 1 }),
      agent.request('echo', 'from the agent'),
    ]);
    expect(results).toEqual([30, 1, 'from the agent']);
  });

  it('replies UNKNOWN_METHOD to an unknown method and logs it', async () => {
    const { host, agentLog } = pair();
    await expect(host.request('nope', {})).rejects.toMatchObject({ remoteCode: 'UNKNOWN_METHOD' });
    expect(agentLog.join('\n')).toMatch(/unknown method "nope"/);
  });

  it('cancels a call: the handler sees the abort, the caller a CancelledError', async () => {
    const { host, agent } = pair();
    let aborted = false;
    agent.handle('wait', ({ signal }) => {
      return new Promise((_resolve, reject) => {
        signal.addEventListener('abort', () => {
          aborted = true;
          reject(signal.reason);
        });
      });
    });
    const controller = new AbortController();
    const result = host.request('wait', {}, { signal: controller.signal });
    await sleep(5);
    controller.abort();
    await expect(result).rejects.toMatchObject({ code: 'CANCELLED' });
    await sleep(5);
    expect(aborted).toBe(true);
    await expect(host.request('wait', {}, { timeout: 10 })).rejects.toMatchObject({
      code: 'TIMEOUT',
    });
  });

  it('streams more than the window with credit, never queuing past it', async () => {
    const window = 16 * 1024;
    const { host, agent } = pair(window);
    const total = 1024 * 1024;
    agent.handle('produce', async ({ output }) => {
      const out = output(1);
      const chunk = Buffer.alloc(10_000, 7);
      for (let sent = 0; sent < total; sent += chunk.length) {
        await out.send(chunk.subarray(0, Math.min(chunk.length, total - sent)));
      }
      out.end();
      return 'done';
    });
    const call = host.call('produce', {});
    let received = 0;
    for await (const chunk of call.input(1)) {
      received += chunk.length;
      if (received % 5 === 0) await sleep(0); // a slow consumer
    }
    expect(received).toBe(total);
    expect(await call.result).toBe('done');
  });

  it('uploads to the handler on the IN channel', async () => {
    const { host, agent } = pair(4096);
    agent.handle('consume', async ({ input }) => (await input(0).collect()).length);
    const call = host.call('consume', {});
    const out = call.output(0);
    await out.send(Buffer.alloc(100_000, 1));
    out.end();
    expect(await call.result).toBe(100_000);
  });

  it('answers garbage, bad CBOR and schema errors with ERROR frames and keeps serving', async () => {
    const { a, host, agent, agentLog, hostLog } = pair();
    agent.handle('echo', async ({ params }) => params);
    const badType = encodeFrame({
      type: FrameType.REQUEST,
      id: 11,
      stream: 0,
      payload: new Uint8Array([0xff, 0x00]),
    });
    badType.writeUInt8(42, 5);
    a.write(badType);
    a.write(
      encodeFrame({ type: FrameType.REQUEST, id: 13, stream: 0, payload: new Uint8Array([0xbf]) }),
    );
    a.write(
      encodeFrame({ type: FrameType.REQUEST, id: 15, stream: 0, payload: encodeBody({ verb: 1 }) }),
    );
    a.write(
      encodeFrame({
        type: FrameType.CREDIT,
        id: 99,
        stream: 0,
        payload: encodeBody({ bytes: -1 }),
      }),
    );
    expect(await host.request('echo', 'still alive')).toBe('still alive');
    expect(agentLog.length).toBeGreaterThanOrEqual(4);
    expect(agentLog.join('\n')).toMatch(/unknown frame type 42/);
    expect(agentLog.join('\n')).toMatch(/invalid CBOR|exactly one/);
    // The host got the error replies for ids it never used: logged, not thrown.
    expect(hostLog.join('\n')).toMatch(/peer error FRAME/);
    expect(hostLog.join('\n')).toMatch(/peer error SCHEMA/);
  });

  it('answers an oversized frame with an error and keeps the stream in sync', async () => {
    const [a, b] = duplexPair();
    const log = collectLines();
    const agent = new RpcPeer(b, { role: 'agent', maxFrame: 1024, log: log.log });
    agent.handle('echo', async ({ params }) => params);
    const host = new RpcPeer(a, { role: 'host' });
    a.write(
      encodeFrame({ type: FrameType.DATA, id: 7, stream: 0, payload: new Uint8Array(10_000) }),
    );
    expect(await host.request('echo', 1)).toBe(1);
    expect(log.lines.join('\n')).toMatch(/exceeds 1024/);
  });

  it('closes on lost framing and fails calls in flight', async () => {
    const { a, host, agent } = pair();
    agent.handle('never', () => new Promise(() => {}));
    const pending = host.request('never', {});
    await sleep(5);
    a.write(Buffer.alloc(12, 0));
    await agent.closed;
    await expect(pending).rejects.toMatchObject({ code: 'CLOSED' });
  });

  it('delivers events', async () => {
    const { host, agent } = pair();
    const seen = new Promise((resolve) =>
      host.once('event', (name, data) => resolve({ name, data })),
    );
    agent.emitEvent('boot', { uptime: 1 });
    expect(await seen).toEqual({ name: 'boot', data: { uptime: 1 } });
  });
});
