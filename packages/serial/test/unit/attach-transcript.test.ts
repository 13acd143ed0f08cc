import { EventEmitter } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { duplexPair } from '@multiverse-os/vsock/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { attach, Console, parseTranscript, recordTranscript } from '../../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'mv-serial-attach-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A stand-in for process.stdin as a TTY, recording raw-mode switches. */
class FakeTty extends EventEmitter {
  isTTY = true;
  isRaw = false;
  modes: boolean[] = [];
  failRaw = false;
  setRawMode(mode: boolean) {
    if (this.failRaw && mode) throw new Error('cannot set raw mode');
    this.modes.push(mode);
    this.isRaw = mode;
    return this;
  }
  resume() {
    return this;
  }
  pause() {
    return this;
  }
}

function setup() {
  const [ours, peer] = duplexPair();
  const console = new Console(ours);
  const typed: Buffer[] = [];
  peer.on('data', (chunk: Buffer) => typed.push(chunk));
  const shown: Buffer[] = [];
  const output = { write: (chunk: Uint8Array) => shown.push(Buffer.from(chunk)) };
  return { console, peer, typed, shown, output };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('attach', () => {
  it('forwards both ways in raw mode, detaches on Ctrl-] and restores the terminal', async () => {
    const { console, peer, typed, shown, output } = setup();
    const input = new FakeTty();
    const attached = attach(console, { input, output });
    expect(input.isRaw).toBe(true);
    peer.write('guest says hi\r\n');
    await tick();
    input.emit('data', Buffer.from('ls\r\x03'));
    input.emit('data', Buffer.from('ab\x1dnot sent'));
    expect(await attached).toBe('escape');
    await tick();
    expect(Buffer.concat(shown).toString()).toBe('guest says hi\r\n');
    expect(Buffer.concat(typed).toString()).toBe('ls\r\x03ab');
    expect(input.modes).toEqual([true, false]);
    expect(input.listenerCount('data')).toBe(0);
  });

  it('returns "closed" when the console closes, and restores the terminal', async () => {
    const { console, peer, output } = setup();
    const input = new FakeTty();
    const attached = attach(console, { input, output });
    peer.end();
    expect(await attached).toBe('closed');
    expect(input.isRaw).toBe(false);
  });

  it('restores the terminal when sending fails', async () => {
    const { console, peer, output } = setup();
    const input = new FakeTty();
    const attached = attach(console, { input, output });
    peer.destroy();
    input.emit('data', Buffer.from('x'));
    // The failed write both rejects the send and errors the stream: either ends the attach.
    const outcome = await attached.catch((e: { code?: string }) => e.code);
    expect(['closed', 'CONSOLE_CLOSED']).toContain(outcome);
    expect(input.modes).toEqual([true, false]);
  });

  it('restores the terminal when raw mode fails halfway, and detaches on abort', async () => {
    const { console, output } = setup();
    const broken = new FakeTty();
    broken.failRaw = true;
    await expect(attach(console, { input: broken, output })).rejects.toThrow('raw mode');
    expect(broken.modes).toEqual([false]);
    const controller = new AbortController();
    const input = new FakeTty();
    const attached = attach(console, { input, output, signal: controller.signal });
    controller.abort();
    expect(await attached).toBe('aborted');
    expect(input.isRaw).toBe(false);
  });
});

describe('transcripts', () => {
  it('writes every byte with a timestamp at each line start (text format)', async () => {
    const { console, peer } = setup();
    const path = join(dir, 'console.txt');
    const times = [new Date('2026-01-02T03:04:05.000Z'), new Date('2026-01-02T03:04:06.000Z')];
    let call = 0;
    const transcript = recordTranscript(console, path, {
      now: () => times[Math.min(call++, 1)] ?? new Date(),
    });
    peer.write(Buffer.from('one\r\ntw'));
    await tick();
    peer.write(Buffer.concat([Buffer.from('o\r\n\x1b[0m'), Buffer.from([0xff])]));
    await tick();
    await transcript.stop();
    expect(readFileSync(path)).toEqual(
      Buffer.concat([
        Buffer.from('[2026-01-02T03:04:05.000Z] one\r\n[2026-01-02T03:04:05.000Z] tw'),
        Buffer.from('o\r\n[2026-01-02T03:04:06.000Z] \x1b[0m'),
        Buffer.from([0xff]),
      ]),
    );
  });

  it('records both directions losslessly in jsonl', async () => {
    const { console, peer } = setup();
    const path = join(dir, 'console.jsonl');
    const transcript = recordTranscript(console, path, { format: 'jsonl', append: false });
    await console.sendLine('uname');
    peer.write(Buffer.from([0x00, 0xff, 0x41]));
    await tick();
    await transcript.stop();
    const entries = parseTranscript(readFileSync(path, 'utf8'));
    expect(entries.map((e) => [e.dir, e.data.toString('hex')])).toEqual([
      ['in', Buffer.from('uname\n').toString('hex')],
      ['out', '00ff41'],
    ]);
    expect(Number.isNaN(Date.parse(entries[0]?.t ?? ''))).toBe(false);
  });
});
