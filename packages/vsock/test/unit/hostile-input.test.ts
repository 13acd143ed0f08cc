import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_ACK_LENGTH, takeLine } from '../../src/hybrid/protocol.js';
import {
  AddressError,
  connectHybrid,
  HybridAckTooLongError,
  HybridBadAckError,
  HybridConnectionClosedError,
  parseAddress,
} from '../../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'mv-vsock-hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A muxer that answers every CONNECT with `answer(socket)`: the hostile side of the handshake. */
async function hostileMuxer(
  name: string,
  answer: (socket: import('node:net').Socket) => void,
): Promise<{ path: string; server: Server }> {
  const path = join(dir, `${name}.sock`);
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    socket.once('data', () => answer(socket));
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return { path, server };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

describe('hybrid handshake against a hostile muxer', () => {
  it('stops reading an endless acknowledgement after MAX_ACK_LENGTH bytes (4 MiB chunks)', () => {
    const chunk = Buffer.alloc(4 * 1024 * 1024, 0x41);
    const result = takeLine(Buffer.alloc(0), chunk);
    expect(result.state).toBe('too-long');
    // Only what can hold the line is kept, not the whole chunk.
    if (result.state === 'too-long') expect(result.buffered.length).toBe(MAX_ACK_LENGTH + 1);
  });

  it('holds at most MAX_ACK_LENGTH bytes across byte-sized chunks', () => {
    let buffered: Buffer = Buffer.alloc(0);
    for (let i = 0; i < 100; i++) {
      const result = takeLine(buffered, Buffer.from('9'));
      if (result.state === 'too-long') {
        expect(i).toBe(MAX_ACK_LENGTH);
        return;
      }
      expect(result.state).toBe('more');
      if (result.state === 'more') buffered = result.buffered;
      expect(buffered.length).toBeLessThanOrEqual(MAX_ACK_LENGTH);
    }
    throw new Error('the bound never tripped');
  });

  it('refuses a line at the bound that is not an acknowledgement, and an ack past it', () => {
    expect(takeLine(Buffer.alloc(0), Buffer.from(`${'1'.repeat(MAX_ACK_LENGTH)}\n`)).state).toBe(
      'line',
    );
    expect(takeLine(Buffer.alloc(0), Buffer.from(`OK ${'0'.repeat(MAX_ACK_LENGTH)}\n`)).state).toBe(
      'too-long',
    );
  });

  it('a muxer streaming megabytes without a newline gets HybridAckTooLongError, quoted briefly', async () => {
    const { path, server } = await hostileMuxer('flood', (socket) => {
      const chunk = Buffer.alloc(1024 * 1024, 0x42);
      const pump = () => {
        while (!socket.destroyed && socket.write(chunk));
        if (!socket.destroyed) socket.once('drain', pump);
      };
      pump();
    });
    try {
      const error = await rejection(connectHybrid(path, 52));
      expect(error).toBeInstanceOf(HybridAckTooLongError);
      expect(error).toMatchObject({ code: 'ERR_HYBRID_ACK_TOO_LONG', limit: MAX_ACK_LENGTH });
      expect(error.message.length).toBeLessThan(300);
    } finally {
      server.close();
    }
  });

  it('garbage, binary and wrong-type acknowledgements are HybridBadAckError with a short quote', async () => {
    for (const reply of [
      'OK -1\n',
      'OK 99999999999\n',
      'OK 0x10\n',
      '\u0000\u00ff\n',
      'OK\n',
      '\n',
    ]) {
      const { path, server } = await hostileMuxer(`bad${reply.length}`, (s) => s.end(reply));
      try {
        const error = await rejection(connectHybrid(path, 52));
        expect(error, JSON.stringify(reply)).toBeInstanceOf(HybridBadAckError);
        expect((error as HybridBadAckError).received.length).toBeLessThanOrEqual(64);
      } finally {
        server.close();
      }
    }
  });

  it('a muxer closing mid-acknowledgement is HybridConnectionClosedError', async () => {
    const { path, server } = await hostileMuxer('midline', (s) => s.end('OK 12'));
    try {
      expect(await rejection(connectHybrid(path, 52))).toBeInstanceOf(HybridConnectionClosedError);
    } finally {
      server.close();
    }
  });

  it('a real socat muxer answering 10 MB of zeros gets HybridAckTooLongError', async () => {
    const path = join(dir, 'socat.sock');
    const script = join(dir, 'zeros.sh');
    writeFileSync(script, 'read line\nhead -c 10000000 /dev/zero\n');
    const socat = spawn('socat', [`UNIX-LISTEN:${path}`, `EXEC:sh ${script}`], { stdio: 'ignore' });
    try {
      for (let i = 0; i < 200 && !existsSync(path); i++) await sleep(10);
      if (!existsSync(path)) throw new Error('socat did not start (apt-get install socat)');
      const error = await rejection(connectHybrid(path, 52));
      expect(error).toBeInstanceOf(HybridAckTooLongError);
    } finally {
      socat.kill();
    }
  });
});

describe('address parsing of hostile text', () => {
  it('names the problem and quotes at most 200 characters of a huge address', () => {
    const huge = `hybrid:${'/x'.repeat(500_000)}:notaport`;
    let error: unknown;
    try {
      parseAddress(huge);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AddressError);
    expect((error as Error).message.length).toBeLessThan(400);
    expect((error as AddressError).address).toBe(huge);
  });

  it('refuses wrong types, empty parts and out-of-range numbers', () => {
    for (const bad of [
      42,
      null,
      '',
      'vsock:',
      'vsock:1:',
      'vsock:-1:2',
      'vsock:1:4294967296',
      'vsock:1e3:2',
      'hybrid::5',
      'tcp:host:65536',
      'tcp:::1:80',
      'unix:',
      'ftp://x',
    ]) {
      expect(() => parseAddress(bad as string), String(bad)).toThrow(AddressError);
    }
  });
});
