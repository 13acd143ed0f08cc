import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { setImmediate as tick } from 'node:timers/promises';
import { duplexPair } from '@multiverse-os/vsock/testing';
import { describe, expect, it } from 'vitest';
import { QmpClient } from '../../src/client/client.js';
import {
  QmpArgumentError,
  QmpConnectionClosedError,
  type QmpError,
  QmpLimitError,
  QmpProtocolError,
  QmpUnexpectedReplyError,
} from '../../src/errors.js';
import { QmpDecoder } from '../../src/protocol/decoder.js';
import { DEFAULT_MAX_LINE_BYTES } from '../../src/protocol/limits.js';
import { fakeServer } from '../helpers/fake-server.js';

const MiB = 1024 * 1024;

/**
 * Streams `chunk` from the peer end until the client end is destroyed (the bound tripped) or
 * `maxBytes` went out, yielding between chunks so the client handles each one. Returns the
 * bytes sent: never more than bound + one chunk when the bound works.
 */
async function flood(peer: Duplex, client: Duplex, chunk: Buffer, maxBytes: number) {
  let sent = 0;
  while (!client.destroyed && sent < maxBytes) {
    peer.write(chunk);
    sent += chunk.length;
    await tick();
  }
  return sent;
}

/** A client past the handshake whose peer answers nothing: the test writes the peer's side. */
async function connected(options: Parameters<typeof QmpClient.fromStream>[1] = {}) {
  const errors: QmpError[] = [];
  const fake = fakeServer(() => {});
  const qmp = await QmpClient.fromStream(fake.client, {
    oob: false,
    onProtocolError: (e) => errors.push(e),
    ...options,
  });
  return { qmp, errors, ...fake };
}

describe('QMP against a hostile peer: line length', () => {
  it('closes the connection on a reply line past the default bound (the 600 MB line), without buffering it', async () => {
    const { qmp, client, server, errors } = await connected();
    const reply = qmp.execute('query-status');
    reply.catch(() => {});
    const chunk = Buffer.alloc(4 * MiB, 0x61);
    server.write('{"return":"');
    const sent = await flood(server, client, chunk, 600 * MiB);
    expect(sent).toBeLessThanOrEqual(DEFAULT_MAX_LINE_BYTES + chunk.length);
    const error = await reply.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QmpLimitError);
    expect(error).toMatchObject({
      code: 'LIMIT_EXCEEDED',
      limit: 'maxLineBytes',
      max: DEFAULT_MAX_LINE_BYTES,
      command: 'query-status',
    });
    expect((error as Error).message).toContain('maxLineBytes is 16777216');
    expect(qmp.isClosed).toBe(true);
    const closed = await qmp.closed;
    expect(closed.cause).toBeInstanceOf(QmpLimitError);
    expect(errors.some((e) => e instanceof QmpLimitError)).toBe(true);
    await expect(qmp.execute('query-status')).rejects.toBeInstanceOf(QmpConnectionClosedError);
  });

  it('closes the connection on 100 MB without a newline, whatever the chunking', async () => {
    for (const size of [1, 4096, 65536 + 7, 3 * MiB]) {
      const { qmp, client, server } = await connected({ maxLineBytes: MiB });
      const pending = [qmp.execute('a'), qmp.execute('b')];
      for (const p of pending) p.catch(() => {});
      const chunk = randomBytes(size).map((b) => (b === 0x0a ? 0x20 : b));
      // Byte-sized chunks would take long to reach 1 MiB: start them near the bound.
      if (size < 4096) server.write(Buffer.alloc(MiB - 16, 0x20));
      const sent = await flood(server, client, Buffer.from(chunk), 100 * MiB);
      expect(sent, `chunk ${size}`).toBeLessThanOrEqual(MiB + size);
      for (const p of pending) await expect(p).rejects.toMatchObject({ limit: 'maxLineBytes' });
    }
  });

  it('keeps a reply exactly at the bound and refuses one byte more', async () => {
    const { qmp, server } = await connected({ maxLineBytes: 1000 });
    // `{"return":"` + `","id":N}` is 20 bytes around the string.
    const fill = (n: number, id: number) => `{"return":"${'x'.repeat(n - 20)}","id":${id}}`;
    // Every byte before the `\n` counts, QEMU's `\r` included.
    const ok = qmp.execute('a');
    server.write(`${fill(1000, 2)}\n`);
    expect(String(await ok)).toHaveLength(1000 - 20);
    const withCr = qmp.execute('c');
    server.write(`${fill(999, 3)}\r\n`);
    expect(String(await withCr)).toHaveLength(999 - 20);
    const tooLong = qmp.execute('b');
    server.write(`${fill(1001, 4)}\n`);
    await expect(tooLong).rejects.toMatchObject({ limit: 'maxLineBytes', max: 1000 });
  });

  it('refuses an oversized greeting with a typed error and closes the stream', async () => {
    const [client, peer] = duplexPair();
    const started = QmpClient.fromStream(client, { maxLineBytes: 64 * 1024 });
    started.catch(() => {});
    await flood(peer, client, Buffer.alloc(16 * 1024, 0x7b), 10 * MiB);
    await expect(started).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 'maxLineBytes' });
    expect(client.destroyed).toBe(true);
  });

  it('never holds more than the bound in the decoder', () => {
    const decoder = new QmpDecoder({ maxLineBytes: 10_000 });
    let failed = false;
    for (let i = 0; i < 100 && !failed; i++) {
      const out = decoder.push(Buffer.alloc(3000, 0x61));
      expect(decoder.pendingBytes).toBeLessThanOrEqual(10_000);
      failed = out.some((d) => !d.ok && d.error instanceof QmpLimitError);
    }
    expect(failed).toBe(true);
    expect(decoder.failed).toBeInstanceOf(QmpLimitError);
    // Once framing is lost nothing more comes out, even a valid line.
    expect(decoder.push(Buffer.from('\n{"return":1}\n'))).toEqual([]);
  });

  it('hands out the lines finished before an over-long one in the same chunk', () => {
    const decoder = new QmpDecoder({ maxLineBytes: 100 });
    const out = decoder.push(Buffer.from(`{"return":1,"id":1}\n${'z'.repeat(200)}`));
    expect(out.map((d) => d.ok)).toEqual([true, false]);
  });
});

describe('QMP against a hostile peer: nesting, shapes and garbage', () => {
  it('closes the connection on a reply nested deeper than maxDepth', async () => {
    const { qmp, server } = await connected();
    const shallow = qmp.execute('a');
    server.write(`{"return":${'['.repeat(1000)}${']'.repeat(1000)},"id":2}\n`);
    expect(Array.isArray(await shallow)).toBe(true);
    const deep = qmp.execute('b');
    server.write(`{"return":${'['.repeat(200_000)}${']'.repeat(200_000)},"id":3}\n`);
    await expect(deep).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 'maxDepth' });
    expect(qmp.isClosed).toBe(true);
  });

  it('counts nesting outside strings only', async () => {
    const { qmp, server } = await connected({ maxDepth: 4 });
    const reply = qmp.execute('a');
    server.write(`{"return":{"s":"${'[{'.repeat(1000)}\\"]"},"id":2}\n`);
    expect(await reply).toEqual({ s: `${'[{'.repeat(1000)}"]` });
  });

  it('reports non-object messages, wrong shapes and unknown ids, and carries on', async () => {
    const { qmp, server, errors } = await connected();
    server.write(
      `${[
        '[1,2]',
        '42',
        '"text"',
        'null',
        '{"hello":1}',
        '{"error":"not an object","id":2}',
        '{"return":1,"id":999}',
        '{"return":1,"id":"2"}',
        '{"return":1,"id":{"x":1}}',
        '{"return":1}',
        '{"QMP":{"version":{"qemu":{"major":7,"minor":2,"micro":0}},"capabilities":[]}}',
        '{"event":123}',
        '{"event":"X","timestamp":"yesterday","data":[1]}',
      ].join('\n')}\n`,
    );
    await tick();
    expect(errors.length).toBe(12);
    for (const e of errors) expect(e).toBeInstanceOf(QmpProtocolError);
    expect(errors.filter((e) => e instanceof QmpUnexpectedReplyError)).toHaveLength(4);
    expect(qmp.isClosed).toBe(false);
    const reply = qmp.execute('a');
    server.write('{"return":"fine","id":2}\n');
    expect(await reply).toBe('fine');
  });

  it('turns random bytes and invalid UTF-8 into protocol errors without closing', async () => {
    const { qmp, server, errors } = await connected();
    for (let i = 0; i < 50; i++) server.write(randomBytes(2048));
    server.write(Buffer.from([0xff, 0xfe, 0x0a, 0xc3, 0x28, 0x0a]));
    await tick();
    expect(errors.length).toBeGreaterThan(0);
    for (const e of errors) expect(e).toBeInstanceOf(QmpProtocolError);
    if (!qmp.isClosed) {
      const reply = qmp.execute('a');
      server.write('\n{"return":7,"id":2}\n');
      expect(await reply).toBe(7);
    } else {
      // Random bytes may nest deeper than maxDepth in one line: then the bound closed it.
      expect(errors.some((e) => e instanceof QmpLimitError)).toBe(true);
    }
  });

  it('rejects pending commands when the peer closes mid-line', async () => {
    const { qmp, server } = await connected();
    const reply = qmp.execute('query-status');
    server.write('{"return":{"status":"runn');
    server.end();
    await expect(reply).rejects.toBeInstanceOf(QmpConnectionClosedError);
    expect(qmp.isClosed).toBe(true);
  });

  it('refuses greetings without a usable version, and a non-greeting first message', async () => {
    for (const greeting of [
      { QMP: { capabilities: [] } },
      { QMP: { version: 'nine', capabilities: [] } },
      { QMP: { version: { qemu: { major: '9', minor: 1, micro: 0 } }, capabilities: [] } },
      { return: {} },
    ]) {
      const { client } = fakeServer(() => {}, { greeting });
      await expect(QmpClient.fromStream(client)).rejects.toBeInstanceOf(QmpProtocolError);
    }
  });

  it('survives hooks that throw inside the data handler', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on('warning', onWarning);
    try {
      const { qmp, server } = await connected({
        onProtocolError: () => {
          throw new Error('hook bug');
        },
        onListenerError: () => {
          throw new Error('listener hook bug');
        },
      });
      qmp.on('X', () => {
        throw new Error('listener bug');
      });
      server.write('garbage\n{"event":"X","timestamp":{"seconds":0,"microseconds":0}}\n');
      await tick();
      await tick();
      expect(qmp.isClosed).toBe(false);
      expect(warnings.some((w) => w.includes('hook bug'))).toBe(true);
      expect(warnings.some((w) => w.includes('listener hook bug'))).toBe(true);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('ends a slow events() reader with a typed error instead of queueing forever', async () => {
    const { qmp, server } = await connected();
    const events = qmp.events({ maxQueuedEvents: 10 });
    const first = events.next();
    const event = '{"event":"X","timestamp":{"seconds":0,"microseconds":0}}\n';
    server.write(event.repeat(50));
    await first;
    let read = 1;
    const error = await (async () => {
      for await (const _ of events) read++;
    })().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'LIMIT_EXCEEDED', limit: 'maxQueuedEvents', max: 10 });
    // The reader took one; 10 more were held when the 11th arrived.
    expect(read).toBe(10);
    expect(qmp.isClosed).toBe(false);
    expect(() => qmp.events({ maxQueuedEvents: 0 }).next()).rejects.toBeInstanceOf(
      QmpArgumentError,
    );
  });

  it('refuses bounds that are not positive integers', async () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      const { client } = fakeServer(() => {});
      await expect(QmpClient.fromStream(client, { maxLineBytes: bad })).rejects.toMatchObject({
        code: 'INVALID_ARGUMENT',
        argument: 'maxLineBytes',
      });
      await expect(
        QmpClient.fromStream(fakeServer(() => {}).client, { maxDepth: bad }),
      ).rejects.toBeInstanceOf(QmpArgumentError);
    }
  });
});
