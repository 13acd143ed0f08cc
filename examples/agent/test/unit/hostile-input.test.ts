import { Duplex } from 'node:stream';
import { setImmediate as tick } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { AgentError, ClosedError, MessageError } from '../../src/errors.js';
import { decodeBody, encodeBody, MAX_BODY_DEPTH } from '../../src/protocol/codec.js';
import {
  DEFAULT_MAX_FRAME,
  encodeFrame,
  FrameDecoder,
  FrameType,
  HEADER_SIZE,
} from '../../src/protocol/frame.js';
import { RpcPeer } from '../../src/rpc/peer.js';
import { collectLines, duplexPair } from '../helpers.js';

const MiB = 1024 * 1024;

function header(length: number, type: number, id: number, stream = 0): Buffer {
  const out = Buffer.alloc(HEADER_SIZE);
  out.writeUInt32BE(length, 0);
  out.writeUInt8(1, 4);
  out.writeUInt8(type, 5);
  out.writeUInt16BE(stream, 6);
  out.writeUInt32BE(id, 8);
  return out;
}

function frame(type: number, id: number, body: unknown, stream = 0): Buffer {
  const payload = body instanceof Uint8Array ? body : encodeBody(body);
  return encodeFrame({ type: type as FrameType, id, stream, payload: new Uint8Array(payload) });
}

/** An agent peer with a raw "host" end the test writes hostile bytes to and reads frames from. */
function agentWithRawHost() {
  const [raw, agentEnd] = duplexPair();
  const log = collectLines();
  const agent = new RpcPeer(agentEnd, { role: 'agent', log: log.log });
  agent.handle('echo', async ({ params }) => params);
  const replies: Array<{ type: number; id: number; body: unknown }> = [];
  const decoder = new FrameDecoder();
  raw.on('data', (chunk: Buffer) => {
    for (const item of decoder.push(chunk)) {
      if (item.frame)
        replies.push({
          type: item.frame.type,
          id: item.frame.id,
          body: decodeBody(item.frame.payload),
        });
    }
  });
  return { raw, agent, replies, log: log.lines };
}

describe('agent frames from a hostile peer', () => {
  it('skips a frame claiming 4 GiB without buffering it, streamed in 4 MiB chunks', () => {
    const decoder = new FrameDecoder();
    const items = decoder.push(header(0xffff_fff0, FrameType.DATA, 3, 1));
    expect(items[0]?.error?.message).toMatch(/exceeds 1048576/);
    const chunk = Buffer.alloc(4 * MiB, 0x41);
    for (let sent = 0; sent < 40 * MiB; sent += chunk.length) {
      expect(decoder.push(chunk)).toEqual([]);
      expect(decoder.buffered).toBe(0);
    }
    expect(decoder.desynced).toBe(false);
  });

  it('takes a maximum-size frame a few bytes at a time in linear time, holding at most maxFrame', () => {
    const decoder = new FrameDecoder();
    const big = frame(FrameType.DATA, 5, new Uint8Array(DEFAULT_MAX_FRAME - HEADER_SIZE), 1);
    // Joining everything held on every chunk (the old way) copied ~75 GB here and ran into the
    // test timeout; copying each byte once takes a fraction of a second.
    let out: ReturnType<FrameDecoder['push']> = [];
    let most = 0;
    for (let i = 0; i < big.length; i += 7) {
      out = decoder.push(big.subarray(i, i + 7));
      most = Math.max(most, decoder.buffered);
    }
    expect(most).toBeLessThanOrEqual(DEFAULT_MAX_FRAME);
    expect(out[0]?.frame?.payload.length).toBe(DEFAULT_MAX_FRAME - HEADER_SIZE);
  });

  it('refuses a frame one byte over the bound and keeps one at the bound', () => {
    const decoder = new FrameDecoder(1000);
    const at = frame(FrameType.DATA, 1, new Uint8Array(1000 - HEADER_SIZE), 1);
    const over = frame(FrameType.DATA, 1, new Uint8Array(1001 - HEADER_SIZE), 1);
    const items = decoder.push(Buffer.concat([at, over, at]));
    expect(items.map((i) => (i.frame ? 'frame' : i.error?.message))).toEqual([
      'frame',
      'frame of 1001 bytes exceeds 1000',
      'frame',
    ]);
  });

  it('answers a request whose CBOR is nested a million deep with a DECODE error and carries on', async () => {
    const { raw, replies, agent } = agentWithRawHost();
    const deep = Buffer.alloc(DEFAULT_MAX_FRAME - HEADER_SIZE, 0x81);
    raw.write(encodeFrame({ type: FrameType.REQUEST, id: 1, stream: 0, payload: deep }));
    raw.write(frame(FrameType.REQUEST, 3, { method: 'echo', params: 'still here' }));
    await tick();
    await tick();
    expect(replies[0]).toMatchObject({ type: FrameType.ERROR, id: 1, body: { code: 'DECODE' } });
    expect(replies[1]).toMatchObject({
      type: FrameType.RESPONSE,
      id: 3,
      body: { result: 'still here' },
    });
    expect(agent.isClosed).toBe(false);
  });

  it('refuses CBOR values that are not plain data (tags, shared references, cycles, deep nesting)', () => {
    const cases: Array<[string, Buffer, RegExp]> = [
      [
        'cycle via tags 28/29',
        Buffer.from([0xd8, 0x1c, 0x81, 0xd8, 0x1d, 0x00]),
        /shared or cyclic/,
      ],
      [
        'shared reference',
        Buffer.from([0x82, 0xd8, 0x1c, 0x80, 0xd8, 0x1d, 0x00]),
        /shared or cyclic/,
      ],
      [
        'RegExp via tag 27',
        Buffer.from([0xd8, 0x1b, 0x82, 0x66, ...Buffer.from('RegExp'), 0x61, 0x61]),
        /RegExp/,
      ],
      ['Date via tag 1', Buffer.from([0xc1, 0x1a, 0x5f, 0x00, 0x00, 0x00]), /Date/],
      ['Set via tag 258', Buffer.from([0xd9, 0x01, 0x02, 0x81, 0x01]), /Set/],
      [
        'Float64Array via tag 86',
        Buffer.from([0xd8, 0x56, 0x48, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f]),
        /Float64Array/,
      ],
      ['too deep', Buffer.from([...Array(MAX_BODY_DEPTH + 1).fill(0x81), 0x00]), /deeper than 64/],
      ['a million deep', Buffer.alloc(MiB, 0x81), /deeper than 64|invalid CBOR/],
      ['truncated', Buffer.from([0x9a, 0xff, 0xff, 0xff, 0xff]), /invalid CBOR/],
      [
        'length bomb string',
        Buffer.from([0x7b, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]),
        /invalid CBOR/,
      ],
      ['two values', Buffer.from([0x01, 0x02]), /exactly one/],
    ];
    for (const [name, bytes, message] of cases) {
      let error: unknown;
      try {
        decodeBody(bytes);
      } catch (e) {
        error = e;
      }
      expect(error, name).toBeInstanceOf(MessageError);
      expect((error as MessageError).code, name).toBe('DECODE');
      expect((error as Error).message, name).toMatch(message);
    }
    // Exactly at the bound is fine, and byte strings stay byte strings.
    const atBound = Buffer.from([...Array(MAX_BODY_DEPTH).fill(0x81), 0x00]);
    expect(() => decodeBody(atBound)).not.toThrow();
    expect(decodeBody(encodeBody({ b: Buffer.from([1]) }))).toEqual({ b: Buffer.from([1]) });
  });

  it('answers wrong-type bodies with SCHEMA errors', async () => {
    const { raw, replies, agent } = agentWithRawHost();
    const bodies = [
      42,
      'ping',
      [1, 2],
      null,
      { method: 5 },
      { method: 'echo', params: 1, extra: 1 },
    ];
    for (const [i, body] of bodies.entries()) raw.write(frame(FrameType.REQUEST, 2 * i + 1, body));
    await tick();
    await tick();
    expect(replies).toHaveLength(bodies.length);
    for (const reply of replies)
      expect(reply).toMatchObject({ type: FrameType.ERROR, body: { code: 'SCHEMA' } });
    expect(agent.isClosed).toBe(false);
  });

  it('refuses data on sub-channels that do not exist instead of queueing for each', async () => {
    const { raw, replies, agent } = agentWithRawHost();
    let release!: () => void;
    agent.handle('wait', () => new Promise((resolve) => (release = () => resolve('done'))));
    raw.write(frame(FrameType.REQUEST, 1, { method: 'wait', params: null }));
    for (let stream = 3; stream < 200; stream++) {
      raw.write(frame(FrameType.DATA, 1, new Uint8Array(1000), stream));
    }
    await tick();
    await tick();
    expect(replies.filter((r) => r.type === FrameType.ERROR)).toHaveLength(197);
    expect((replies[0]?.body as { message?: string } | undefined)?.message).toMatch(
      /unknown sub-channel 3/,
    );
    release();
    await tick();
    await tick();
    expect(replies.at(-1)).toMatchObject({ type: FrameType.RESPONSE, id: 1 });
  });

  it('rejects calls in flight when the peer closes mid-frame', async () => {
    const [hostEnd, raw] = duplexPair();
    const host = new RpcPeer(hostEnd, { role: 'host' });
    const call = host.request('echo', 'x');
    const reply = frame(FrameType.RESPONSE, 1, { result: 'x' });
    raw.write(reply.subarray(0, reply.length - 3));
    raw.end();
    await expect(call).rejects.toBeInstanceOf(ClosedError);
  });

  it('closes a channel whose peer sends bad frames but never reads the answers', async () => {
    let written = 0;
    // A transport whose far end never reads: writes never complete, like a full socket.
    const stuck = new Duplex({
      read() {},
      write(chunk: Buffer) {
        written += chunk.length;
      },
    });
    const agent = new RpcPeer(stuck, { role: 'agent', maxWriteBacklog: 64 * 1024 });
    const bad = Buffer.concat(Array.from({ length: 1000 }, (_, i) => header(8, 99, 2 * i + 1)));
    for (let i = 0; i < 100 && !agent.isClosed; i++) {
      stuck.push(bad);
      await tick();
    }
    expect(agent.isClosed).toBe(true);
    expect(agent.closeReason).toBeInstanceOf(AgentError);
    expect(agent.closeReason).toMatchObject({ code: 'FLOW' });
    expect(agent.closeReason?.message).toMatch(/maxWriteBacklog/);
    expect(stuck.writableLength).toBeLessThan(64 * 1024 + 4096);
    expect(written).toBeGreaterThan(0);
  });

  it('never throws on random bytes, whatever the chunking', async () => {
    let seed = 7;
    const random = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed >>> 24;
    };
    for (let round = 0; round < 50; round++) {
      const { raw, agent } = agentWithRawHost();
      for (let i = 0; i < 20 && !agent.isClosed; i++) {
        raw.write(Buffer.from(Uint8Array.from({ length: 1 + (random() % 200) }, random)));
      }
      await tick();
      if (agent.isClosed) expect(agent.closeReason).toBeInstanceOf(AgentError);
    }
  });
});
