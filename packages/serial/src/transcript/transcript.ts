import { createWriteStream, type WriteStream } from 'node:fs';
import type { Console } from '../console/console.js';

export type TranscriptFormat = 'text' | 'jsonl';

export interface TranscriptOptions {
  /**
   * `text` (default): the raw bytes, each line prefixed with `[ISO time] `; readable with
   * `less -R`. `jsonl`: one JSON object per chunk, `{ "t": ISO time, "dir": "out" | "in",
   * "data": base64 }`, lossless for both directions.
   */
  format?: TranscriptFormat;
  /** Also record what was sent to the console (jsonl only); default true. */
  input?: boolean;
  /** Append to an existing file instead of replacing it; default true. */
  append?: boolean;
  /** Clock for the timestamps (tests). */
  now?: () => Date;
}

/** One chunk of a `jsonl` transcript. */
export interface TranscriptEntry {
  t: string;
  dir: 'out' | 'in';
  data: Buffer;
}

/**
 * Writes every byte the console receives (and sends) to a file with timestamps, until
 * `stop()` or the console closes.
 */
export class Transcript {
  readonly path: string;
  readonly #file: WriteStream;
  readonly #stop: () => void;
  #atLineStart = true;

  constructor(console: Console, path: string, options: TranscriptOptions = {}) {
    this.path = path;
    const format = options.format ?? 'text';
    const now = options.now ?? (() => new Date());
    this.#file = createWriteStream(path, { flags: options.append === false ? 'w' : 'a' });
    this.#file.on('error', () => {
      // Reported by `stop()`; a failing log must not take the console down.
    });
    const onData = (chunk: Buffer) =>
      format === 'jsonl' ? this.#json(now(), 'out', chunk) : this.#text(now(), chunk);
    const onSent = (chunk: Buffer) => this.#json(now(), 'in', chunk);
    const onClose = () => this.#stop();
    console.on('data', onData);
    if (format === 'jsonl' && options.input !== false) console.on('sent', onSent);
    console.once('close', onClose);
    this.#stop = () => {
      console.off('data', onData);
      console.off('sent', onSent);
      console.off('close', onClose);
    };
  }

  /** Stops recording and flushes the file. */
  stop(): Promise<void> {
    this.#stop();
    return new Promise((resolve, reject) => {
      if (this.#file.closed) {
        resolve();
        return;
      }
      this.#file.end((error?: Error | null) => (error ? reject(error) : resolve()));
    });
  }

  #json(time: Date, dir: 'out' | 'in', chunk: Buffer): void {
    const line = JSON.stringify({ t: time.toISOString(), dir, data: chunk.toString('base64') });
    this.#file.write(`${line}\n`);
  }

  #text(time: Date, chunk: Buffer): void {
    const stamp = Buffer.from(`[${time.toISOString()}] `);
    const parts: Buffer[] = [];
    let start = 0;
    while (start < chunk.length) {
      if (this.#atLineStart) parts.push(stamp);
      const nl = chunk.indexOf(0x0a, start);
      const stop = nl === -1 ? chunk.length : nl + 1;
      parts.push(chunk.subarray(start, stop));
      this.#atLineStart = nl !== -1;
      start = stop;
    }
    this.#file.write(Buffer.concat(parts));
  }
}

/** Starts a transcript of `console` into `path`. */
export function recordTranscript(
  console: Console,
  path: string,
  options?: TranscriptOptions,
): Transcript {
  return new Transcript(console, path, options);
}

/** Reads a `jsonl` transcript back. */
export function parseTranscript(text: string): TranscriptEntry[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const entry = JSON.parse(line) as { t: string; dir: 'out' | 'in'; data: string };
      return { t: entry.t, dir: entry.dir, data: Buffer.from(entry.data, 'base64') };
    });
}
