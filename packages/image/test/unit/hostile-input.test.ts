import { describe, expect, it } from 'vitest';
import { encodeNewcHeader } from '../../src/cpio/newc.js';
import {
  ConsoleTranscript,
  GuestTimeoutError,
  ModuleNotFoundError,
  parseModuleIndex,
  resolveModuleLoadOrder,
} from '../../src/index.js';

// A guest is a peer like any other: what it prints on its console must not make the host
// use unbounded memory or time.
describe('a guest flooding its console', () => {
  it('keeps memory bounded and costs time linear in what it prints', {
    timeout: 30_000,
  }, async () => {
    const limit = 1024 * 1024;
    const transcript = new ConsoleTranscript(limit);
    const waiting = transcript.waitFor('login:', { timeout: 60_000 });
    const chunk = 'x'.repeat(4096);
    // 16 MiB in 4 KiB chunks with a wait pending: rescanning everything kept on every chunk
    // would scan 4 TiB; the search window keeps it to about 300 MB.
    for (let i = 0; i < 4096; i++) {
      transcript.append(chunk);
      if (i % 256 === 0) expect(transcript.text().length).toBeLessThanOrEqual(limit);
    }
    expect(transcript.text().length).toBeLessThanOrEqual(limit);
    expect(transcript.offset).toBe(16 * 1024 * 1024);
    transcript.append('log');
    transcript.append('in:');
    expect((await waiting).end).toBe(transcript.offset);
  });

  it('finds a match split across chunks after a flood', async () => {
    const transcript = new ConsoleTranscript(64 * 1024, 4096);
    const waiting = transcript.waitFor(/ready (\d+)\n/);
    for (let i = 0; i < 1000; i++) transcript.append('noise\n'.repeat(50));
    for (const piece of ['rea', 'dy 4', '2\n']) transcript.append(piece);
    expect((await waiting).match[1]).toBe('42');
  });

  it('reports a timeout with only the tail of the output', async () => {
    const transcript = new ConsoleTranscript();
    transcript.append('y'.repeat(1024 * 1024));
    const error = await transcript.waitFor('never', { timeout: 10 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GuestTimeoutError);
    expect((error as GuestTimeoutError).output.length).toBeLessThanOrEqual(2048);
  });
});

describe('malformed kernel module lists', () => {
  it('ignores lines that are not entries and refuses unknown modules by name', () => {
    const index = parseModuleIndex(
      '6.1.0-test',
      ':\n\n  \nno colon here\nkernel/a.ko.xz: kernel/b.ko.xz\nkernel/b.ko.xz:\n\0garbage:\n',
    );
    expect(resolveModuleLoadOrder(index, ['a'])).toEqual(['b', 'a']);
    expect(() => resolveModuleLoadOrder(index, ['nope'])).toThrow(ModuleNotFoundError);
  });

  it('does not loop on a dependency cycle', () => {
    const index = parseModuleIndex(
      '6.1.0-test',
      'kernel/a.ko: kernel/b.ko\nkernel/b.ko: kernel/a.ko\n',
    );
    const order = resolveModuleLoadOrder(index, ['a']);
    expect(new Set(order)).toEqual(new Set(['a', 'b']));
  });
});

describe('cpio headers', () => {
  it('refuses values that do not fit the format instead of writing a corrupt archive', () => {
    for (const bad of [-1, 2 ** 32, 1.5, Number.NaN]) {
      expect(() => encodeNewcHeader({ name: 'f', ino: 1, mode: 0o100644, fileSize: bad })).toThrow(
        RangeError,
      );
    }
  });
});
