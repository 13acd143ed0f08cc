import { EventEmitter } from 'node:events';
import { type Duplex, PassThrough, type Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import {
  AbortedError,
  ConsoleClosedError,
  ExpectTimeoutError,
  ExpectWindowExceededError,
  InvalidOptionError,
} from '../errors.js';
import { AnsiStripper } from '../text/ansi.js';
import { ByteRing } from '../text/byte-ring.js';
import { LineSplitter } from '../text/line-splitter.js';
import {
  ExpectEngine,
  type ExpectMatch,
  type ExpectOptions,
  type Pattern,
  type Waiter,
} from './expect-engine.js';
import { type LoginOptions, login, type RunOptions, type RunResult, runCommand } from './shell.js';

export interface ConsoleOptions {
  /**
   * Characters of escape-stripped text kept for matching and `before`; default 1 Mi. An
   * `expect` that sees more than this arrive without a match rejects with
   * `ExpectWindowExceededError` (its `before` could no longer be whole).
   */
  historySize?: number;
  /** Raw bytes kept for `recent()`; default 1 MiB. */
  rawHistorySize?: number;
  /** Longest match that may straddle chunks; default 4096 characters. */
  maxMatchLength?: number;
  /** Longest line handed to `line` listeners before it is cut; default 64 Ki characters. */
  maxLineLength?: number;
  /** How bytes become text: `utf8` (invalid bytes become U+FFFD) or `latin1`; default utf8. */
  encoding?: 'utf8' | 'latin1';
  /** Strip ANSI/VT100 escapes before matching; default true. */
  stripAnsi?: boolean;
  /** What `sendLine` appends; default `\n`. */
  eol?: string;
  /** Default `expect` timeout in ms; default 30,000. */
  timeout?: number;
}

export interface ReaderOptions {
  /** Start with the raw bytes still in the ring buffer; default false (only new bytes). */
  history?: boolean;
}

/** Characters of output quoted in timeout and close errors. */
export const ERROR_TAIL = 2048;

export interface ConsoleEvents {
  data: [chunk: Buffer];
  /** Bytes handed to the stream by `send`. */
  sent: [chunk: Buffer];
  text: [text: string];
  line: [line: string];
  close: [error: Error | undefined];
  /** EventEmitter's own, typed so the console can react to new line/text listeners. */
  newListener: [event: string | symbol, listener: unknown];
}

/**
 * A scriptable console over any Duplex (a serial port, a pty, a QEMU chardev socket, a
 * virtio-serial port). Raw bytes are kept in a ring buffer and teed to every reader; the
 * escape-stripped text feeds line listeners and `expect`.
 */
export class Console extends EventEmitter<ConsoleEvents> {
  readonly stream: Duplex;
  readonly eol: string;
  readonly timeout: number;
  readonly #engine: ExpectEngine;
  readonly #raw: ByteRing;
  readonly #encoding: 'utf8' | 'latin1';
  readonly #strip: boolean;
  #decoder: StringDecoder;
  #stripper: AnsiStripper | null;
  /** Bytes received while nobody needed text: still only in the raw ring (see #catchUp). */
  #pendingRaw = 0;
  readonly #lines: LineSplitter;
  readonly #readers = new Set<PassThrough>();
  #blocked = 0;
  #closed = false;
  #closeError: Error | undefined;
  readonly #closedPromise: Promise<Error | undefined>;
  #resolveClosed!: (error: Error | undefined) => void;

  constructor(stream: Duplex, options: ConsoleOptions = {}) {
    super();
    this.stream = stream;
    this.eol = options.eol ?? '\n';
    this.timeout = positive('timeout', options.timeout ?? 30_000);
    this.#engine = new ExpectEngine({
      historySize: positive('historySize', options.historySize ?? 1024 * 1024),
      maxMatchLength: positive('maxMatchLength', options.maxMatchLength ?? 4096),
    });
    this.#raw = new ByteRing(positive('rawHistorySize', options.rawHistorySize ?? 1024 * 1024));
    this.#encoding = options.encoding ?? 'utf8';
    this.#strip = options.stripAnsi !== false;
    this.#decoder = new StringDecoder(this.#encoding);
    this.#stripper = this.#strip ? new AnsiStripper() : null;
    this.#lines = new LineSplitter(positive('maxLineLength', options.maxLineLength ?? 64 * 1024));
    this.#closedPromise = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
    this.on('newListener', (event: string | symbol) => {
      if (event === 'line' || event === 'text') this.#catchUp();
    });
    stream.on('data', (chunk: Buffer | string) => this.#onData(chunk));
    stream.on('end', () => this.#finish(undefined));
    stream.on('close', () => this.#finish(undefined));
    stream.on('error', (error) => this.#finish(error));
    if (stream.destroyed || stream.readableEnded) this.#finish(undefined);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Resolves when the stream ends; with the error that ended it, if any. */
  get done(): Promise<Error | undefined> {
    return this.#closedPromise;
  }

  /** Raw bytes received so far (including those the ring buffer dropped). */
  get bytesReceived(): number {
    return this.#raw.total;
  }

  /** The most recent raw bytes, escapes included (at most `rawHistorySize`). */
  recent(bytes?: number): Buffer {
    return this.#raw.read(bytes);
  }

  /** The most recent escape-stripped text. */
  recentText(chars = ERROR_TAIL): string {
    this.#catchUp();
    return this.#engine.history.tail(chars);
  }

  /**
   * A new Readable of the raw console bytes from now on (or from the ring buffer's start).
   * Any number may be open at once; a slow reader pauses the console until it drains, so no
   * reader loses bytes. Destroy it to stop reading.
   */
  reader(options: ReaderOptions = {}): Readable {
    const reader = new PassThrough();
    if (options.history && this.#raw.size > 0) reader.write(this.#raw.read());
    if (this.#closed) {
      reader.end();
      return reader;
    }
    this.#readers.add(reader);
    const forget = () => {
      if (this.#readers.delete(reader) && reader.writableNeedDrain) this.#unblock();
    };
    reader.once('close', forget);
    return reader;
  }

  /**
   * Waits until one of `patterns` appears in the escape-stripped text after the previous
   * match, and consumes the text up to the end of the match.
   */
  expect(
    patterns: Pattern | readonly Pattern[],
    options: ExpectOptions = {},
  ): Promise<ExpectMatch> {
    const list: readonly Pattern[] = Array.isArray(patterns) ? patterns : [patterns as Pattern];
    const timeout = options.timeout ?? this.timeout;
    const signal = options.signal;
    return new Promise<ExpectMatch>((resolve, reject) => {
      if (signal?.aborted) {
        reject(new AbortedError('expect', this.recentText(), { cause: signal.reason }));
        return;
      }
      let timer: NodeJS.Timeout | undefined;
      let waiter: Waiter | undefined;
      const cleanup = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        if (waiter) this.#engine.cancel(waiter);
        this.off('close', onClose);
      };
      const onAbort = () => {
        cleanup();
        reject(new AbortedError('expect', this.recentText(), { cause: signal?.reason }));
      };
      const onClose = (error: Error | undefined) => {
        cleanup();
        reject(
          new ConsoleClosedError(
            `the console closed before ${describe(list)} appeared`,
            this.recentText(),
            { cause: error },
          ),
        );
      };
      this.#catchUp();
      const added = this.#engine.add(
        list,
        (match) => {
          cleanup();
          resolve(match);
        },
        () => {
          cleanup();
          reject(
            new ExpectWindowExceededError(list, this.#engine.history.capacity, this.recentText()),
          );
        },
      );
      if (!('resolve' in added)) return;
      waiter = added;
      if (this.#closed) {
        onClose(this.#closeError);
        return;
      }
      this.on('close', onClose);
      signal?.addEventListener('abort', onAbort, { once: true });
      timer = setTimeout(() => {
        cleanup();
        reject(new ExpectTimeoutError(list, timeout, this.recentText()));
      }, timeout);
    });
  }

  /** Writes bytes (or UTF-8 text) to the console; resolves once the stream took them. */
  send(data: string | Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.#closed || this.stream.destroyed || this.stream.writableEnded) {
        reject(new ConsoleClosedError('cannot send: the console is closed', this.recentText()));
        return;
      }
      const bytes =
        typeof data === 'string'
          ? Buffer.from(data)
          : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
      this.emit('sent', bytes);
      this.stream.write(bytes, (error) => {
        if (error)
          reject(new ConsoleClosedError('send failed', this.recentText(), { cause: error }));
        else resolve();
      });
    });
  }

  /** Sends `text` followed by the console's end of line. */
  sendLine(text = ''): Promise<void> {
    return this.send(text + this.eol);
  }

  /**
   * Runs a command in the POSIX shell on the console (busybox sh, bash, dash) and returns its
   * output and exit status; see `runCommand`.
   */
  run(command: string, options?: RunOptions): Promise<RunResult> {
    return runCommand(this, command, options);
  }

  /** Logs in at a getty/login prompt and waits for a shell prompt; see `login`. */
  login(options: LoginOptions): Promise<void> {
    return login(this, options);
  }

  /** Ends the console and destroys its stream. */
  close(): void {
    this.stream.destroy();
    this.#finish(undefined);
  }

  #onData(chunk: Buffer | string): void {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    this.#raw.write(bytes);
    this.emit('data', bytes);
    for (const reader of this.#readers) {
      if (!reader.write(bytes) && !reader.listenerCount('drain')) {
        this.#block();
        reader.once('drain', () => this.#unblock());
      }
    }
    if (this.#engine.waiting > 0 || this.listenerCount('line') + this.listenerCount('text') > 0) {
      this.#catchUp();
      this.#pushText(this.#decoder.write(bytes));
    } else {
      this.#pendingRaw += bytes.length;
    }
  }

  /**
   * Text is made from bytes only when someone needs it (a pending expect, a line or text
   * listener, a call to recentText): while nobody does, bytes move at raw speed and wait in
   * the raw ring, and this turns them into text on demand. If more arrived than the ring
   * holds, the oldest are gone and decoding restarts cleanly at what is left.
   */
  #catchUp(): void {
    if (this.#pendingRaw === 0) return;
    if (this.#pendingRaw > this.#raw.size) {
      this.#decoder = new StringDecoder(this.#encoding);
      this.#stripper = this.#strip ? new AnsiStripper() : null;
    }
    const bytes = this.#raw.read(this.#pendingRaw);
    this.#pendingRaw = 0;
    this.#pushText(this.#decoder.write(bytes));
  }

  #pushText(decoded: string): void {
    const text = this.#stripper ? this.#stripper.push(decoded) : decoded;
    if (text.length === 0) return;
    this.#engine.push(text);
    if (this.listenerCount('text') > 0) this.emit('text', text);
    if (this.listenerCount('line') > 0) this.#lines.push(text, (line) => this.emit('line', line));
  }

  #block(): void {
    if (this.#blocked++ === 0) this.stream.pause();
  }

  #unblock(): void {
    if (this.#blocked > 0 && --this.#blocked === 0 && !this.#closed) this.stream.resume();
  }

  #finish(error: Error | undefined): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#closeError = error;
    this.#catchUp();
    this.#pushText(this.#decoder.end());
    if (this.#stripper) {
      const held = this.#stripper.flush();
      if (held) this.#pushText(held);
    }
    const rest = this.#lines.flush();
    if (rest && this.listenerCount('line') > 0) this.emit('line', rest);
    for (const reader of this.#readers) reader.end();
    this.#readers.clear();
    this.emit('close', error);
    this.#resolveClosed(error);
  }
}

function positive(option: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0)
    throw new InvalidOptionError(option, `must be a positive number, got ${value}`);
  return value;
}

function describe(patterns: readonly Pattern[]): string {
  return patterns.map((p) => (typeof p === 'string' ? JSON.stringify(p) : String(p))).join(', ');
}
