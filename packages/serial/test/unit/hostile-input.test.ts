import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { duplexPair } from '@multiverse-os/vsock/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { Console } from '../../src/console/console.js';
import { ExpectEngine } from '../../src/console/expect-engine.js';
import { openEndpoint } from '../../src/endpoints/open.js';
import { ExpectWindowExceededError, InvalidOptionError } from '../../src/errors.js';
import { AnsiStripper } from '../../src/text/ansi.js';
import { LineSplitter } from '../../src/text/line-splitter.js';

const dir = mkdtempSync(join(tmpdir(), 'mv-serial-hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tick = () => new Promise((resolve) => setImmediate(resolve));
const MiB = 1024 * 1024;

function setup(options?: ConstructorParameters<typeof Console>[1]) {
  const [ours, peer] = duplexPair();
  return { console: new Console(ours, options), peer };
}

describe('console fed by a hostile guest', () => {
  it('ends an expect whose window outgrows historySize with a typed error, after at most bound + chunk', async () => {
    const { console, peer } = setup({ historySize: MiB });
    const waiting = console.expect('login:', { timeout: 60_000 });
    let error: unknown;
    waiting.catch((e: unknown) => {
      error = e;
    });
    const chunk = Buffer.alloc(256 * 1024, 0x61);
    let sent = 0;
    while (error === undefined && sent < 100 * MiB) {
      peer.write(chunk);
      sent += chunk.length;
      await tick();
    }
    expect(sent).toBeLessThanOrEqual(MiB + chunk.length);
    expect(error).toBeInstanceOf(ExpectWindowExceededError);
    expect(error).toMatchObject({ code: 'EXPECT_WINDOW_EXCEEDED', limit: 'historySize', max: MiB });
    expect((error as Error).message).toMatch(/more than 1048576 characters \(historySize\)/);
    // The console stays open and the next wait works.
    expect(console.closed).toBe(false);
    const next = console.expect('login:');
    peer.write('login:');
    expect((await next).match).toBe('login:');
  });

  it('keeps a match whose window is exactly the bound', async () => {
    const { console, peer } = setup({ historySize: 1000 });
    const waiting = console.expect('$ ');
    peer.write(`${'x'.repeat(998)}$ `);
    expect((await waiting).before).toHaveLength(998);
  });

  it('text dropped before an expect began does not count against it', async () => {
    const { console, peer } = setup({ historySize: 1000 });
    const started = console.expect('start');
    peer.write('start');
    await started;
    peer.write('y'.repeat(5000));
    await tick();
    const waiting = console.expect('$ ');
    peer.write('$ ');
    expect((await waiting).before.length).toBeLessThanOrEqual(1000);
  });

  it('cuts line listeners at maxLineLength over 20 MB without a newline', async () => {
    const { console, peer } = setup({ maxLineLength: 4096, historySize: 64 * 1024 });
    let longest = 0;
    let lines = 0;
    console.on('line', (line) => {
      longest = Math.max(longest, line.length);
      lines++;
    });
    const chunk = Buffer.alloc(4 * MiB, 0x62);
    for (let i = 0; i < 5; i++) {
      peer.write(chunk);
      await tick();
    }
    expect(longest).toBe(4096);
    expect(lines).toBe((20 * MiB) / 4096);
    expect(console.recent().length).toBeLessThanOrEqual(MiB);
  });

  it('lets go of an unfinished escape sequence past its bound instead of holding the console', () => {
    const stripper = new AnsiStripper();
    const osc = `\x1b]0;${'t'.repeat(10_000)}`;
    const out = stripper.push(osc) + stripper.push('visible');
    expect(out).toContain('visible');
    const csi = stripper.push(`\x1b[${'1;'.repeat(1000)}`);
    expect(csi.length).toBeGreaterThan(0);
  });

  it('survives random bytes, invalid UTF-8 and NULs, and matches after them', async () => {
    const { console, peer } = setup({ historySize: 64 * 1024 });
    const waiting = console.expect('READY', { timeout: 10_000 });
    for (let i = 0; i < 20; i++) peer.write(randomBytes(1024).map((b) => (b === 0x52 ? 0 : b)));
    // BEL ends any escape string the random bytes opened (they are held back up to 4 KiB).
    peer.write(Buffer.from([0xc3, 0x28, 0xff, 0x00, 0x07, 0x0a]));
    peer.write('READY');
    expect((await waiting).match).toBe('READY');
  });

  it('rejects waits with ConsoleClosedError when the guest goes away mid-line', async () => {
    const { console, peer } = setup();
    const waiting = console.expect('# ');
    peer.write('partial prom');
    peer.end();
    await expect(waiting).rejects.toMatchObject({ code: 'CONSOLE_CLOSED' });
  });

  it('refuses bounds that are not positive numbers', () => {
    for (const option of ['historySize', 'rawHistorySize', 'maxMatchLength', 'maxLineLength']) {
      for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
        expect(() => setup({ [option]: bad }), `${option} ${bad}`).toThrow(InvalidOptionError);
      }
    }
  });

  it('the pure engine and splitter hold at most their bounds', () => {
    const engine = new ExpectEngine({ historySize: 10_000, maxMatchLength: 100 });
    let overflowed = false;
    engine.add(
      ['never'],
      () => {},
      () => {
        overflowed = true;
      },
    );
    for (let i = 0; i < 100 && !overflowed; i++) engine.push('z'.repeat(3000));
    expect(overflowed).toBe(true);
    expect(engine.history.end - engine.history.start).toBeLessThanOrEqual(10_000);
    const splitter = new LineSplitter(100);
    const lines: string[] = [];
    splitter.push('q'.repeat(1050), (line) => lines.push(line));
    expect(lines.map((l) => l.length)).toEqual(Array(10).fill(100));
    expect(splitter.flush()).toHaveLength(50);
  });

  it('a real socket peer flooding 20 MB ends the expect with the typed error', async () => {
    const path = join(dir, 'flood.sock');
    const server = createServer((socket) => {
      socket.on('error', () => undefined);
      const chunk = Buffer.alloc(MiB, 0x63);
      let sent = 0;
      const pump = () => {
        while (sent < 20 * MiB && !socket.destroyed) {
          sent += chunk.length;
          if (!socket.write(chunk)) return void socket.once('drain', pump);
        }
        socket.end();
      };
      pump();
    });
    await new Promise<void>((resolve) => server.listen(path, resolve));
    try {
      const stream = await openEndpoint(`unix:${path}`);
      const console = new Console(stream, { historySize: 2 * MiB });
      await expect(console.expect('never', { timeout: 30_000 })).rejects.toBeInstanceOf(
        ExpectWindowExceededError,
      );
      console.close();
    } finally {
      server.close();
    }
  });
});
