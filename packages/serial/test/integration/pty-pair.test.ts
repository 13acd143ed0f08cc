import { afterEach, describe, expect, it } from 'vitest';
import {
  Console,
  ConsoleClosedError,
  EndpointNotFoundError,
  openEndpoint,
  openSerialPort,
  setBaudRate,
} from '../../src/index.js';
import { type Socat, startSocat } from '../helpers/socat.js';

let socat: Socat | undefined;
const opened: Console[] = [];

afterEach(async () => {
  for (const c of opened.splice(0)) c.close();
  await socat?.stop();
  socat = undefined;
});

async function ptyPair(): Promise<[string, string]> {
  socat = await startSocat(['pty,raw,echo=0', 'pty,raw,echo=0'], 2);
  return [socat.ptys[0] ?? '', socat.ptys[1] ?? ''];
}

function track(console: Console): Console {
  opened.push(console);
  return console;
}

describe('serial ports over a socat pty pair', () => {
  it('moves bytes both ways, all 256 byte values included', async () => {
    const [a, b] = await ptyPair();
    const left = track(new Console(await openSerialPort(a)));
    const right = track(new Console(await openEndpoint(`pty:${b}`)));
    await left.sendLine('hello from the left');
    expect((await right.expect('hello from the left\n')).before).toBe('');
    await right.sendLine('and back');
    await left.expect('and back\n');

    const every = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const received: Buffer[] = [];
    right.on('data', (chunk) => received.push(chunk));
    await left.send(every);
    await left.send('END-OF-BYTES');
    await right.expect('END-OF-BYTES');
    expect(Buffer.concat(received).subarray(0, 256)).toEqual(every);
  });

  it('applies baud settings at open and while open', async () => {
    const [a, b] = await ptyPair();
    const port = await openSerialPort(a, { baudRate: 9600, flowControl: 'none' });
    const left = track(new Console(port));
    expect(port.baudRate).toBe(9600);
    await setBaudRate(port, 57600);
    expect(port.baudRate).toBe(57600);
    const right = track(new Console(await openEndpoint(`serial:${b},baud=57600`)));
    await left.sendLine('after the baud change');
    await right.expect('after the baud change');
  });

  it('delivers 4 MB intact and in order through the direct read path', async () => {
    // A pty hands out ~4 KB per read; the direct read gathers several per chunk (direct-read.ts).
    const [a, b] = await ptyPair();
    const left = track(new Console(await openSerialPort(a)));
    const right = track(new Console(await openSerialPort(b)));
    const sent = Buffer.alloc(4 * 1024 * 1024);
    for (let i = 0; i < sent.length; i++) sent[i] = (i * 7 + (i >> 12)) & 0xff;
    const received: Buffer[] = [];
    let total = 0;
    const all = new Promise<void>((resolve) =>
      right.on('data', (chunk: Buffer) => {
        received.push(chunk);
        total += chunk.length;
        if (total >= sent.length) resolve();
      }),
    );
    await left.send(sent);
    await all;
    expect(Buffer.concat(received).equals(sent)).toBe(true);
  });

  it('fails expect with CONSOLE_CLOSED when the device vanishes mid-read', async () => {
    const [a] = await ptyPair();
    const left = track(new Console(await openSerialPort(a)));
    const waiting = left.expect('never comes', { timeout: 20_000 }).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await socat?.stop();
    const error = await waiting;
    expect(error).toBeInstanceOf(ConsoleClosedError);
    await left.done;
    expect(left.closed).toBe(true);
  });

  it('reports a device that does not exist as ENDPOINT_NOT_FOUND', async () => {
    const error = await openSerialPort('/dev/pts/999999').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EndpointNotFoundError);
    expect((error as EndpointNotFoundError).endpoint).toBe('/dev/pts/999999');
    await expect(openEndpoint('/dev/ttyUSB-missing')).rejects.toMatchObject({
      code: 'ENDPOINT_NOT_FOUND',
    });
  });
});
