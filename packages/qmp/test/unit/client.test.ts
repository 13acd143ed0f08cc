import { describe, expect, it } from 'vitest';
import { QmpClient } from '../../src/client/client.js';
import {
  QmpAbortError,
  QmpCommandError,
  QmpConnectionClosedError,
  type QmpError,
  QmpProtocolError,
  QmpTimeoutError,
  QmpUnexpectedReplyError,
} from '../../src/errors.js';
import { fakeServer } from '../helpers/fake-server.js';

describe('QmpClient against a scripted peer', () => {
  it('handles a greeting that arrives in the same chunk as an event', async () => {
    const { client } = fakeServer((cmd, send) => send({ return: 1, id: cmd.id }), {
      raw:
        '{"QMP":{"version":{"qemu":{"major":9,"minor":1,"micro":0},"package":""},"capabilities":[]}}\n' +
        '{"event":"X","data":{},"timestamp":{"seconds":0,"microseconds":0}}\n',
    });
    const qmp = await QmpClient.fromStream(client);
    expect(qmp.capabilities).toEqual([]);
    expect(qmp.eventHistory().map((e) => e.event)).toEqual(['X']);
    await qmp.close();
  });

  it('delivers an event sent before the reply to listeners before the command resolves', async () => {
    const { client } = fakeServer((cmd, send) => {
      send({ event: 'STOP', timestamp: { seconds: 1, microseconds: 0 } });
      send({ return: {}, id: cmd.id });
    });
    const qmp = await QmpClient.fromStream(client);
    const order: string[] = [];
    qmp.on('STOP', () => order.push('event'));
    await qmp.execute('stop');
    order.push('reply');
    expect(order).toEqual(['event', 'reply']);
    await qmp.close();
  });

  it('matches out-of-order replies by id', async () => {
    const held: Array<{ id: unknown; v: unknown }> = [];
    const { client } = fakeServer((cmd, send) => {
      held.push({ id: cmd.id, v: (cmd.arguments as { v: number }).v });
      if (held.length === 3) for (const h of held.reverse()) send({ return: h.v, id: h.id });
    });
    const qmp = await QmpClient.fromStream(client, { oob: false });
    const results = await Promise.all([1, 2, 3].map((v) => qmp.execute('echo', { v })));
    expect(results).toEqual([1, 2, 3]);
    await qmp.close();
  });

  it('times out, aborts, and ignores the late replies', async () => {
    const late: Array<() => void> = [];
    const errors: QmpError[] = [];
    const { client } = fakeServer((cmd, send) => late.push(() => send({ return: 0, id: cmd.id })));
    const qmp = await QmpClient.fromStream(client, { onProtocolError: (e) => errors.push(e) });
    await expect(qmp.execute('slow', {}, { timeout: 20 })).rejects.toBeInstanceOf(QmpTimeoutError);
    const controller = new AbortController();
    const aborted = qmp.execute('slow2', {}, { signal: controller.signal });
    controller.abort(new Error('user gave up'));
    await expect(aborted).rejects.toBeInstanceOf(QmpAbortError);
    for (const send of late) send();
    await new Promise((r) => setTimeout(r, 10));
    expect(errors).toEqual([]);
    await qmp.close();
  });

  it('keeps QMP error class and desc', async () => {
    const { client } = fakeServer((cmd, send) =>
      send({ error: { class: 'DeviceNotFound', desc: "Device 'x' not found" }, id: cmd.id }),
    );
    const qmp = await QmpClient.fromStream(client);
    const err = await qmp.execute('device_del', { id: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QmpCommandError);
    expect(err).toMatchObject({
      code: 'COMMAND_FAILED',
      command: 'device_del',
      errorClass: 'DeviceNotFound',
      desc: "Device 'x' not found",
    });
    await qmp.close();
  });

  it('reports garbage and unknown ids as protocol errors and keeps working', async () => {
    const errors: QmpError[] = [];
    const { client, sendRaw } = fakeServer((cmd, send) => {
      sendRaw('this is not json\n');
      send({ return: 'stray', id: 999 });
      send({ return: 'ok', id: cmd.id });
    });
    const qmp = await QmpClient.fromStream(client, { onProtocolError: (e) => errors.push(e) });
    await expect(qmp.execute('x')).resolves.toBe('ok');
    expect(errors[0]).toBeInstanceOf(QmpProtocolError);
    expect(errors[0]?.code).toBe('INVALID_JSON');
    expect(errors[1]).toBeInstanceOf(QmpUnexpectedReplyError);
    await qmp.close();
  });

  it('rejects pending commands naming them when the peer goes away', async () => {
    const { client, server } = fakeServer(() => server.destroy());
    const qmp = await QmpClient.fromStream(client);
    const err = await qmp.execute('query-status').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QmpConnectionClosedError);
    expect((err as QmpConnectionClosedError).command).toBe('query-status');
    expect((err as Error).message).toContain('query-status');
    await expect(qmp.execute('query-status')).rejects.toBeInstanceOf(QmpConnectionClosedError);
  });

  it('fails the handshake when the first message is not a greeting', async () => {
    const { client } = fakeServer(() => {}, { raw: '{"return":{}}\n' });
    await expect(QmpClient.fromStream(client)).rejects.toBeInstanceOf(QmpProtocolError);
  });

  it('waitForEvent, events() and executeAndWait see events in order', async () => {
    const { client } = fakeServer((cmd, send) => {
      send({ return: {}, id: cmd.id });
      send({
        event: 'DEVICE_DELETED',
        data: { device: 'other' },
        timestamp: { seconds: 1, microseconds: 0 },
      });
      send({
        event: 'DEVICE_DELETED',
        data: { device: 'nic1' },
        timestamp: { seconds: 2, microseconds: 0 },
      });
    });
    const qmp = await QmpClient.fromStream(client, { historySize: 2 });
    const controller = new AbortController();
    const seen: string[] = [];
    const iterating = (async () => {
      for await (const e of qmp.events({ names: ['DEVICE_DELETED'], signal: controller.signal })) {
        seen.push(String((e.data as { device?: string }).device));
        if (seen.length === 2) controller.abort();
      }
    })();
    const { event } = await qmp.executeAndWait(
      'device_del',
      { id: 'nic1' },
      'DEVICE_DELETED',
      (e) => e.data.device === 'nic1',
      { timeout: 1000 },
    );
    expect(event.data.device).toBe('nic1');
    await iterating;
    expect(seen).toEqual(['other', 'nic1']);
    expect(qmp.eventHistory()).toHaveLength(2);
    await expect(qmp.waitForEvent('RESET', undefined, { timeout: 10 })).rejects.toBeInstanceOf(
      QmpTimeoutError,
    );
    await qmp.close();
    await expect(qmp.waitForEvent('RESET')).rejects.toBeInstanceOf(QmpConnectionClosedError);
  });

  it('writes bigints exactly and reads 64-bit values back exactly', async () => {
    const { client, receivedLines } = fakeServer((cmd, _send, sendRaw) =>
      sendRaw(`{"return":{"size":18446744073709551615},"id":${JSON.stringify(cmd.id)}}\n`),
    );
    const qmp = await QmpClient.fromStream(client);
    const result = await qmp.execute('x-size', { size: 18446744073709551615n });
    expect(result).toEqual({ size: 18446744073709551615n });
    expect(receivedLines.at(-1)).toContain('"size":18446744073709551615}');
    await qmp.close();
  });
  it('keeps at most maxInFlight in-band commands on the wire, 7 by default with OOB', async () => {
    let outstanding = 0;
    let peak = 0;
    const queue: Array<() => void> = [];
    const { client } = fakeServer((cmd, send) => {
      outstanding++;
      peak = Math.max(peak, outstanding);
      queue.push(() => {
        outstanding--;
        send({ return: cmd.id, id: cmd.id });
      });
      // Answer a little later so commands pile up on the client side.
      setTimeout(() => queue.shift()?.(), 1);
    });
    const qmp = await QmpClient.fromStream(client);
    expect(qmp.capabilities).toEqual(['oob']);
    const results = await Promise.all(Array.from({ length: 50 }, () => qmp.execute('x')));
    expect(results).toHaveLength(50);
    expect(peak).toBe(7);
    await qmp.close();
  });
  it('survives a throwing event listener and reports it', async () => {
    const { client } = fakeServer((cmd, send) => {
      send({ event: 'STOP', timestamp: { seconds: 1, microseconds: 0 } });
      send({ return: {}, id: cmd.id });
    });
    const reported: string[] = [];
    const qmp = await QmpClient.fromStream(client, {
      onListenerError: (err, event) => reported.push(`${event.event}: ${(err as Error).message}`),
    });
    const seen: string[] = [];
    qmp.on('STOP', () => {
      throw new Error('listener bug');
    });
    qmp.on('STOP', (e) => seen.push(e.event));
    await qmp.execute('stop');
    expect(seen).toEqual(['STOP']);
    expect(reported).toEqual(['STOP: listener bug']);
    await qmp.close();
  });
  it('keeps answering commands while the peer interleaves garbage, truncated and huge lines', async () => {
    const errors: string[] = [];
    let n = 0;
    const { client, sendRaw } = fakeServer((cmd, send) => {
      n++;
      if (n % 3 === 0) sendRaw(`{"return": {"trunc`);
      if (n % 3 === 0) sendRaw('\n');
      if (n % 5 === 0) sendRaw(`\u0000\u00ff garbage ]]]\n`);
      if (n % 7 === 0)
        sendRaw(
          `{"event":"BIG","data":{"s":"${'x'.repeat(300_000)}"},"timestamp":{"seconds":1,"microseconds":0}}\n`,
        );
      send({ return: n, id: cmd.id });
    });
    const qmp = await QmpClient.fromStream(client, { onProtocolError: (e) => errors.push(e.code) });
    const results = await Promise.all(Array.from({ length: 30 }, () => qmp.execute('x')));
    expect(results).toHaveLength(30);
    expect(new Set(errors)).toEqual(new Set(['INVALID_JSON']));
    expect(qmp.eventHistory().filter((e) => (e.event as string) === 'BIG')).toHaveLength(4);
    await qmp.close();
  });
});
