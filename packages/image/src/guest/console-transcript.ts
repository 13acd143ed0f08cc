import { GuestExitedError, GuestTimeoutError } from '../errors.js';

export interface WaitForOutputOptions {
  /** Milliseconds; default 60,000. */
  timeout?: number;
  /** Only match output from this offset on (see `ConsoleTranscript.offset`); default 0. */
  from?: number;
  signal?: AbortSignal;
}

export interface OutputMatch {
  /** The matched text and its groups. */
  match: RegExpExecArray;
  /** Offset just past the match, to continue from. */
  end: number;
}

interface Waiter {
  pattern: RegExp;
  from: number;
  /** Offset up to which this waiter's pattern has already been tried. */
  scanned: number;
  resolve: (value: OutputMatch) => void;
  reject: (error: Error) => void;
}

/**
 * Everything a guest printed on its console, as text, with waits for patterns. Offsets are
 * counted from the first byte ever received, so they stay valid after old text is dropped
 * to keep memory bounded.
 */
export class ConsoleTranscript {
  #text = '';
  #dropped = 0;
  /**
   * The newest output, at most `searchWindow` characters before the last chunk plus that
   * chunk, kept apart from `#text`: pending waits scan this small string, because slicing
   * or matching the whole transcript (a rope of appended chunks) would copy all of it on
   * every chunk.
   */
  #recent = '';
  #waiters = new Set<Waiter>();
  #closedWith: Error | undefined;

  /**
   * `limit`: characters kept (older output is dropped, offsets stay valid).
   * `searchWindow`: how far back before new output a pending wait looks again, so a match
   * may span chunks without every chunk rescanning everything kept: a guest printing
   * megabytes in small chunks costs time linear in what it prints, not quadratic. A match
   * longer than the window may be missed while it arrives in pieces.
   */
  constructor(
    private readonly limit = 8 * 1024 * 1024,
    private readonly searchWindow = 64 * 1024,
  ) {}

  /** Offset of the end of the output so far. */
  get offset(): number {
    return this.#dropped + this.#text.length;
  }

  /** The output kept so far (all of it, unless more than `limit` characters arrived). */
  text(from = 0): string {
    return this.#text.slice(Math.max(0, from - this.#dropped));
  }

  /** The last `length` characters, for error messages. */
  tail(length = 2048): string {
    return this.#text.slice(-length);
  }

  append(chunk: string): void {
    this.#text += chunk;
    // Only pending waits read it; a wait made later scans the whole transcript once anyway.
    this.#recent =
      this.#waiters.size === 0
        ? ''
        : (this.#recent + chunk).slice(-(this.searchWindow + chunk.length));
    if (this.#text.length > this.limit) {
      // Drop down to three quarters of the limit, so a full transcript is copied once per
      // quarter-limit of new output, not once per chunk.
      const excess = this.#text.length - Math.floor((this.limit * 3) / 4);
      this.#text = this.#text.slice(excess);
      this.#dropped += excess;
    }
    for (const waiter of this.#waiters) this.#check(waiter);
  }

  /** Rejects every pending and future wait: the console is gone. */
  close(error: Error): void {
    this.#closedWith = error;
    for (const waiter of this.#waiters) waiter.reject(error);
    this.#waiters.clear();
  }

  waitFor(pattern: string | RegExp, options: WaitForOutputOptions = {}): Promise<OutputMatch> {
    const regex =
      typeof pattern === 'string'
        ? new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        : new RegExp(pattern.source, pattern.flags.replace('g', ''));
    const timeout = options.timeout ?? 60_000;
    return new Promise<OutputMatch>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const onAbort = () => finish(() => reject(options.signal?.reason ?? new Error('aborted')));
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        this.#waiters.delete(waiter);
        settle();
      };
      const waiter: Waiter = {
        pattern: regex,
        from: options.from ?? 0,
        scanned: 0,
        resolve: (value) => finish(() => resolve(value)),
        reject: (error) => finish(() => reject(error)),
      };
      if (this.#check(waiter)) return;
      if (this.#closedWith) return reject(this.#closedWith);
      if (options.signal?.aborted) return onAbort();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      timer = setTimeout(() => {
        waiter.reject(
          new GuestTimeoutError(
            `no console output matched ${regex} within ${timeout} ms`,
            this.tail(),
          ),
        );
      }, timeout);
      this.#waiters.add(waiter);
    });
  }

  #check(waiter: Waiter): boolean {
    const from = Math.max(waiter.from, waiter.scanned - this.searchWindow);
    const recentStart = this.offset - this.#recent.length;
    // A waiter that has seen everything before the last chunk only needs the recent text;
    // a new one (or one whose window reaches further back) scans what is kept, once.
    const [text, base] =
      from >= recentStart ? [this.#recent, recentStart] : [this.#text, this.#dropped];
    const start = Math.max(0, from - base);
    const match = waiter.pattern.exec(start === 0 ? text : text.slice(start));
    if (!match) {
      waiter.scanned = this.offset;
      return false;
    }
    waiter.resolve({ match, end: base + start + match.index + match[0].length });
    return true;
  }
}

/** Shared by `Guest`: the error a wait gets when QEMU is gone. */
export function guestGoneError(
  code: number | null,
  signal: NodeJS.Signals | null,
  stderr: string,
): GuestExitedError {
  const how = signal ? `was killed by ${signal}` : `exited with status ${code}`;
  return new GuestExitedError(`QEMU ${how}`, code, signal, stderr);
}
