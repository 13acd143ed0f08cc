import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readDirectly, readWaiting } from '../../src/endpoints/direct-read.js';

const dir = mkdtempSync(join(tmpdir(), 'mv-serial-direct-read-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Both ends of a FIFO, non-blocking like the fd serialport opens: reads hit EAGAIN when empty. */
function fifoPair(name: string) {
  const path = join(dir, name);
  execFileSync('mkfifo', [path]);
  const reader = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const writer = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
  return { reader, writer };
}

/** Stands in for serialport's epoll poller: the test says when the fd is readable. */
function fakePoller() {
  const waiting: Array<(error: Error | null) => void> = [];
  return {
    waiting,
    once(_event: 'readable', callback: (error: Error | null) => void) {
      waiting.push(callback);
      return this;
    },
  };
}

describe('direct reads on the non-blocking fd of a serial port', () => {
  it('gathers everything waiting into one chunk, up to the requested length', () => {
    const { reader, writer } = fifoPair('gather');
    writeSync(writer, Buffer.from('first '));
    writeSync(writer, Buffer.from('second'));
    const buffer = Buffer.alloc(64);
    expect(readWaiting(reader, buffer, 4, 60)).toBe(12);
    expect(buffer.subarray(4, 16).toString()).toBe('first second');
    writeSync(writer, Buffer.from('0123456789'));
    expect(readWaiting(reader, buffer, 0, 4)).toBe(4);
    expect(readWaiting(reader, buffer, 4, 60)).toBe(6);
    expect(buffer.subarray(0, 10).toString()).toBe('0123456789');
    expect(readWaiting(reader, buffer, 0, 64)).toBe(0);
    closeSync(reader);
    closeSync(writer);
  });

  it('waits for the poller on EAGAIN, then returns what arrived', async () => {
    const { reader, writer } = fifoPair('wait');
    const poller = fakePoller();
    const read = readDirectly({
      fd: reader,
      poller,
      read: async () => ({ bytesRead: 0, buffer: Buffer.alloc(0) }),
    });
    const buffer = Buffer.alloc(16);
    const result = read(buffer, 0, 16);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(poller.waiting).toHaveLength(1);
    writeSync(writer, Buffer.from('late bytes'));
    poller.waiting.shift()?.(null);
    const { bytesRead } = await result;
    expect(buffer.subarray(0, bytesRead).toString()).toBe('late bytes');
    closeSync(reader);
    closeSync(writer);
  });

  it('rejects with the poller error, as canceled once closed, and flags EBADF as a disconnect', async () => {
    const { reader, writer } = fifoPair('errors');
    const poller = fakePoller();
    const port = {
      fd: reader as number | null,
      poller,
      read: async () => ({ bytesRead: 0, buffer: Buffer.alloc(0) }),
    };
    const read = readDirectly(port);
    const failed = read(Buffer.alloc(8), 0, 8);
    await new Promise((resolve) => setTimeout(resolve, 20));
    poller.waiting.shift()?.(new Error('poll failed'));
    await expect(failed).rejects.toThrow('poll failed');

    port.fd = null;
    await expect(read(Buffer.alloc(8), 0, 8)).rejects.toMatchObject({ canceled: true });

    closeSync(reader);
    closeSync(writer);
    port.fd = reader;
    await expect(read(Buffer.alloc(8), 0, 8)).rejects.toMatchObject({
      code: 'EBADF',
      disconnect: true,
    });
  });
});
