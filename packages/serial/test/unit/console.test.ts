import { duplexPair } from '@multiverse-os/vsock/testing';
import { describe, expect, it } from 'vitest';
import {
  AbortedError,
  Console,
  ConsoleClosedError,
  ExpectTimeoutError,
  InvalidOptionError,
} from '../../src/index.js';

function setup(options?: ConstructorParameters<typeof Console>[1]) {
  const [ours, peer] = duplexPair();
  return { console: new Console(ours, options), peer };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('Console.expect', () => {
  it('resolves with the match, its groups and the text before it', async () => {
    const { console, peer } = setup();
    const waiting = console.expect([/status=(?<code>\d+)/, 'never']);
    peer.write('booting...\r\nstatus=42\r\n');
    const match = await waiting;
    expect(match.index).toBe(0);
    expect(match.match).toBe('status=42');
    expect(match.groups[1]).toBe('42');
    expect(match.named.code).toBe('42');
    expect(match.before).toBe('booting...\r\n');
  });

  it('matches text that arrived before expect was called, then only later text', async () => {
    const { console, peer } = setup();
    peer.write('$ first\n$ ');
    await tick();
    const first = await console.expect('$ ');
    expect(first.before).toBe('');
    const second = await console.expect('$ ');
    expect(second.before).toBe('first\n');
    const third = console.expect('$ ', { timeout: 50 });
    await expect(third).rejects.toBeInstanceOf(ExpectTimeoutError);
  });

  it('finds patterns split across chunks at every offset and byte by byte', async () => {
    const text = 'noise \x1b[1mLogin\x1b[0m incorrect, then kernel: Linux version 6.1.0 ok';
    for (let cut = 0; cut <= text.length; cut++) {
      const { console, peer } = setup();
      const waiting = console.expect([/Linux version (\S+)/, 'Login incorrect']);
      peer.write(text.slice(0, cut));
      await tick();
      peer.write(text.slice(cut));
      const match = await waiting;
      expect(match.match).toBe('Login incorrect');
    }
    const { console, peer } = setup();
    const waiting = console.expect(/Linux version (\S+) ok/);
    for (const byte of Buffer.from(text)) peer.write(Buffer.from([byte]));
    expect((await waiting).groups[1]).toBe('6.1.0');
  });

  it('picks the earliest match among patterns', async () => {
    const { console, peer } = setup();
    const waiting = console.expect(['zzz', 'bbb', /a+/]);
    peer.write('xx bbb aaa zzz');
    const match = await waiting;
    expect(match.pattern).toBe('bbb');
  });

  it('times out with the last 2 KB of stripped output in the error', async () => {
    const { console, peer } = setup();
    peer.write(`${'x'.repeat(5000)}\x1b[31mTHE END\x1b[0m`);
    await tick();
    const error = await console.expect('nope', { timeout: 30 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExpectTimeoutError);
    const timeout = error as ExpectTimeoutError;
    expect(timeout.code).toBe('EXPECT_TIMEOUT');
    expect(timeout.output.length).toBe(2048);
    expect(timeout.output.endsWith('THE END')).toBe(true);
    expect(timeout.message).toContain('"nope"');
  });

  it('rejects with ABORTED when the signal fires, and at once when already aborted', async () => {
    const { console } = setup();
    const controller = new AbortController();
    const waiting = console.expect('x', { signal: controller.signal });
    controller.abort(new Error('user gave up'));
    const error = await waiting.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortedError);
    expect((error as AbortedError).cause).toBeInstanceOf(Error);
    await expect(console.expect('x', { signal: controller.signal })).rejects.toMatchObject({
      code: 'ABORTED',
    });
  });

  it('rejects with CONSOLE_CLOSED when the peer closes mid-expect, and afterwards', async () => {
    const { console, peer } = setup();
    const waiting = console.expect('prompt');
    peer.write('half a line');
    peer.end();
    const error = await waiting.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConsoleClosedError);
    expect((error as ConsoleClosedError).output).toBe('half a line');
    await expect(console.expect('prompt')).rejects.toMatchObject({ code: 'CONSOLE_CLOSED' });
    // Text that arrived before the close still matches.
    expect((await console.expect('half')).match).toBe('half');
    await expect(console.send('x')).rejects.toMatchObject({ code: 'CONSOLE_CLOSED' });
  });

  it('rejects bad patterns and options with INVALID_OPTION', async () => {
    const { console } = setup();
    await expect(console.expect([])).rejects.toThrow(InvalidOptionError);
    await expect(console.expect('')).rejects.toThrow(InvalidOptionError);
    await expect(console.expect('x'.repeat(5000))).rejects.toThrow(InvalidOptionError);
    expect(() => setup({ historySize: 0 })).toThrow(InvalidOptionError);
  });

  it('never mutates the lastIndex of the caller regex', async () => {
    const { console, peer } = setup();
    const regex = /ok/g;
    regex.lastIndex = 7;
    const waiting = console.expect(regex);
    peer.write('ok');
    await waiting;
    expect(regex.lastIndex).toBe(7);
  });
});

describe('Console input and output', () => {
  it('sends bytes and lines to the peer', async () => {
    const { console, peer } = setup({ eol: '\r' });
    const received: Buffer[] = [];
    peer.on('data', (chunk: Buffer) => received.push(chunk));
    await console.send(Buffer.from([0x03]));
    await console.sendLine('ls');
    await tick();
    expect(Buffer.concat(received).toString()).toBe('\x03ls\r');
  });

  it('emits stripped lines while the raw bytes stay available', async () => {
    const { console, peer } = setup();
    const lines: string[] = [];
    console.on('line', (line) => lines.push(line));
    peer.write('\x1b[32mgreen\x1b[0m\r\nplain\n');
    await tick();
    expect(lines).toEqual(['green', 'plain']);
    expect(console.recent().toString()).toBe('\x1b[32mgreen\x1b[0m\r\nplain\n');
    expect(console.recentText()).toBe('green\r\nplain\n');
  });

  it('tees the raw bytes to many readers, with or without the ring history', async () => {
    const { console, peer } = setup();
    peer.write('early ');
    await tick();
    const fresh = console.reader();
    const replay = console.reader({ history: true });
    const collect = (r: NodeJS.ReadableStream) => {
      const parts: Buffer[] = [];
      r.on('data', (c: Buffer) => parts.push(c));
      return new Promise<string>((resolve) =>
        r.on('end', () => resolve(Buffer.concat(parts).toString())),
      );
    };
    const a = collect(fresh);
    const b = collect(replay);
    peer.write('late');
    await tick();
    peer.end();
    expect(await a).toBe('late');
    expect(await b).toBe('early late');
  });

  it('pauses for a slow reader instead of dropping bytes, and resumes when it drains', async () => {
    const { console, peer } = setup();
    const slow = console.reader();
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    for (let i = 0; i < 8; i++) peer.write(chunk);
    await tick();
    expect(console.stream.isPaused()).toBe(true);
    let total = 0;
    slow.on('data', (c: Buffer) => {
      total += c.length;
    });
    const done = new Promise((resolve) => slow.on('end', resolve));
    peer.end();
    await done;
    expect(total).toBe(8 * chunk.length);
  });

  it('survives binary garbage: invalid UTF-8 becomes U+FFFD and matching goes on', async () => {
    const { console, peer } = setup();
    const garbage = Buffer.alloc(256 * 1024);
    for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919) % 256;
    peer.write(garbage);
    peer.write('\r\nMARKER\r\n');
    const match = await console.expect('MARKER', { timeout: 5000 });
    expect(match.match).toBe('MARKER');
    expect(console.bytesReceived).toBe(garbage.length + 10);
  });

  it('keeps memory bounded for a 10 MB line without a newline', async () => {
    const { console, peer } = setup({ historySize: 64 * 1024, rawHistorySize: 64 * 1024 });
    let longest = 0;
    console.on('line', (line) => {
      longest = Math.max(longest, line.length);
    });
    const waiting = console.expect('END', { timeout: 20_000 });
    waiting.catch(() => {});
    const piece = Buffer.alloc(64 * 1024, 0x78);
    for (let i = 0; i < 160; i++) peer.write(piece);
    peer.write('END');
    // The wait's text outgrew historySize: it says so instead of cutting `before` silently.
    await expect(waiting).rejects.toMatchObject({ code: 'EXPECT_WINDOW_EXCEEDED' });
    const match = await console.expect('END', { timeout: 20_000 });
    expect(match.before.length).toBeLessThanOrEqual(64 * 1024);
    expect(console.recent().length).toBe(64 * 1024);
    expect(longest).toBe(64 * 1024);
    expect(console.bytesReceived).toBe(160 * piece.length + 3);
  });
});

describe('Console text made on demand', () => {
  it('turns bytes received while nobody waited into text when asked', async () => {
    const { console, peer } = setup();
    peer.write('\x1b[1mbefore\x1b[0m any expect\r\n');
    await tick();
    expect(console.recentText()).toBe('before any expect\r\n');
    expect((await console.expect('any')).before).toBe('before ');
  });

  it('restarts cleanly when more arrived than the raw ring holds', async () => {
    const { console, peer } = setup({ rawHistorySize: 1024 });
    peer.write('lost '.repeat(1000));
    peer.write(`${'y'.repeat(100)}\r\nkept tail`);
    await tick();
    const match = await console.expect('kept tail');
    expect(match.before.length).toBeLessThanOrEqual(1024);
    expect(match.before.endsWith(`${'y'.repeat(100)}\r\n`)).toBe(true);
  });

  it('hands out lines to a listener added later only from then on', async () => {
    const { console, peer } = setup();
    peer.write('old line\n');
    await tick();
    const lines: string[] = [];
    console.on('line', (line) => lines.push(line));
    peer.write('new line\n');
    await tick();
    expect(lines).toEqual(['new line']);
  });
});
