import { describe, expect, it } from 'vitest';
import {
  AnsiStripper,
  ByteRing,
  LineSplitter,
  stripAnsi,
  TextHistory,
} from '../../src/text/index.js';

const ansiCases: [string, string, string][] = [
  ['plain text', 'hello world\r\n', 'hello world\r\n'],
  ['SGR colours', '\x1b[1;32mroot@vm\x1b[0m:~# ', 'root@vm:~# '],
  ['cursor movement and erase', 'a\x1b[2K\x1b[10;20Hb\x1b[?25lc', 'abc'],
  ['OSC title ended by BEL', '\x1b]0;my title\x07prompt$ ', 'prompt$ '],
  ['OSC hyperlink ended by ST', '\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\', 'link'],
  ['charset designation', '\x1b(Bx\x1b)0y', 'xy'],
  ['keypad mode and NUL/BEL', '\x1b=a\x00b\x07c\x1b>', 'abc'],
  ['C1 CSI', 'a\x9b31mb', 'ab'],
];

describe('AnsiStripper', () => {
  for (const [name, input, expected] of ansiCases) {
    it(`strips ${name} whole, byte by byte and split at every offset`, () => {
      expect(stripAnsi(input)).toBe(expected);
      const stepper = new AnsiStripper();
      expect([...input].map((c) => stepper.push(c)).join('')).toBe(expected);
      for (let cut = 0; cut <= input.length; cut++) {
        const split = new AnsiStripper();
        expect(split.push(input.slice(0, cut)) + split.push(input.slice(cut))).toBe(expected);
      }
    });
  }

  it('gives up on a runaway sequence instead of swallowing the console', () => {
    const garbage = `\x1b[${'1;'.repeat(100)}\nafter`;
    expect(stripAnsi(garbage)).toContain('\nafter');
    const split = new AnsiStripper();
    const parts = [...garbage].map((c) => split.push(c)).join('');
    expect(parts + split.flush()).toContain('\nafter');
    const osc = `\x1b]${'x'.repeat(5000)}visible`;
    expect(stripAnsi(osc)).toContain('visible');
  });
});

describe('LineSplitter', () => {
  it('splits CRLF and LF lines across chunks and keeps the partial rest', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter();
    splitter.push('one\r', (l) => lines.push(l));
    splitter.push('\ntwo\nthr', (l) => lines.push(l));
    splitter.push('ee\n\npart', (l) => lines.push(l));
    expect(lines).toEqual(['one', 'two', 'three', '']);
    expect(splitter.flush()).toBe('part');
  });

  it('cuts over-long lines so memory stays bounded', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter(10);
    splitter.push('x'.repeat(25), (l) => lines.push(l));
    expect(lines).toEqual(['x'.repeat(10), 'x'.repeat(10)]);
    expect(splitter.flush()).toBe('xxxxx');
  });
});

describe('ByteRing', () => {
  it('keeps the last bytes across wrap-around and counts all', () => {
    const ring = new ByteRing(8);
    ring.write(Buffer.from('abcdef'));
    ring.write(Buffer.from('ghij'));
    expect(ring.read().toString()).toBe('cdefghij');
    expect(ring.read(3).toString()).toBe('hij');
    ring.write(Buffer.from('0123456789abc'));
    expect(ring.read().toString()).toBe('56789abc');
    expect(ring.total).toBe(23);
    expect(ring.size).toBe(8);
  });
});

describe('TextHistory', () => {
  it('addresses text by absolute offsets and drops the oldest beyond capacity', () => {
    const history = new TextHistory(10);
    for (const piece of ['hello ', 'world ', 'again']) history.append(piece);
    expect(history.end).toBe(17);
    expect(history.tail(5)).toBe('again');
    expect(history.slice(0)).toBe(history.slice(history.start));
    expect(history.end - history.start).toBeLessThanOrEqual(10);
    expect(history.slice(12, 15)).toBe('aga');
  });

  it('keeps only the end of one chunk bigger than the capacity', () => {
    const history = new TextHistory(4);
    history.append('abcdefgh');
    expect(history.start).toBe(4);
    expect(history.slice(0)).toBe('efgh');
  });

  it('stays bounded when fed one character at a time', () => {
    const history = new TextHistory(5000);
    for (let i = 0; i < 20_000; i++) history.append(String.fromCharCode(97 + (i % 26)));
    expect(history.end - history.start).toBeLessThanOrEqual(5000);
    const expected = [19_997, 19_998, 19_999].map((i) => String.fromCharCode(97 + (i % 26)));
    expect(history.tail(3)).toBe(expected.join(''));
  });
});
