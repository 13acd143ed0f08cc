import { InvalidOptionError } from '../errors.js';
import { TextHistory } from '../text/text-history.js';

/** A literal string, or a regular expression tested on the escape-stripped console text. */
export type Pattern = string | RegExp;

export interface ExpectOptions {
  /** Milliseconds; default the console's `timeout`. */
  timeout?: number;
  signal?: AbortSignal;
}

export interface ExpectMatch {
  /** Index of the pattern that matched in the list given to `expect`. */
  index: number;
  pattern: Pattern;
  /** The matched text. */
  match: string;
  /** Regex capture groups (index 0 is the whole match); `[match]` for a string pattern. */
  groups: readonly (string | undefined)[];
  /** Named regex groups, if any. */
  named: Readonly<Record<string, string | undefined>>;
  /** Text between the end of the previous match (or the start of the wait) and this one. */
  before: string;
  /** Absolute offsets of the match in the console's text stream. */
  start: number;
  end: number;
}

interface Compiled {
  pattern: Pattern;
  literal: string | null;
  regex: RegExp | null;
}

export interface Waiter {
  readonly patterns: readonly Compiled[];
  /** Absolute offset scanning starts from; the `before` text starts here too. */
  from: number;
  resolve(match: ExpectMatch): void;
  /** Offset the history ended at when the wait began: text from here on is the wait's own. */
  readonly since: number;
  /** Called instead of `resolve` when text that arrived during the wait outgrew the history. */
  overflow?(): void;
}

/**
 * Pure matching core of a console (no I/O): holds recent text and the pending waits, and
 * tests each new chunk against them. The cost per chunk is proportional to the chunk plus a
 * fixed look-behind window (`maxMatchLength`), never to the whole history: the window is the
 * only text a new match can overlap with besides the chunk itself. A match may therefore span
 * at most `maxMatchLength` characters once it crosses chunk boundaries.
 */
export class ExpectEngine {
  readonly history: TextHistory;
  readonly maxMatchLength: number;
  /** End of the last match handed out: the next wait starts here. */
  consumed = 0;
  #window = '';
  #windowStart = 0;
  #waiters = new Set<Waiter>();

  constructor(options: { historySize?: number; maxMatchLength?: number } = {}) {
    this.history = new TextHistory(options.historySize ?? 1024 * 1024);
    this.maxMatchLength = options.maxMatchLength ?? 4096;
  }

  get waiting(): number {
    return this.#waiters.size;
  }

  compile(patterns: readonly Pattern[]): Compiled[] {
    if (patterns.length === 0) throw new InvalidOptionError('patterns', 'give at least one');
    return patterns.map((pattern, i) => {
      if (typeof pattern === 'string') {
        if (pattern.length === 0 || pattern.length > this.maxMatchLength)
          throw new InvalidOptionError(
            `patterns[${i}]`,
            `a string pattern must have 1 to ${this.maxMatchLength} characters`,
          );
        return { pattern, literal: pattern, regex: null };
      }
      if (!(pattern instanceof RegExp))
        throw new InvalidOptionError(`patterns[${i}]`, 'must be a string or a RegExp');
      // A private global copy: `lastIndex` is ours, the caller's regex is never mutated.
      const flags = pattern.flags.replace(/[gy]/g, '');
      return { pattern, literal: null, regex: new RegExp(pattern.source, `${flags}g`) };
    });
  }

  /**
   * Registers a wait. Text already held after `consumed` is scanned at once (the prompt may
   * have arrived before the caller asked for it); returns the match, or the waiter to cancel.
   */
  add(
    patterns: readonly Pattern[],
    resolve: (match: ExpectMatch) => void,
    overflow?: () => void,
  ): Waiter | ExpectMatch {
    // Text dropped before the wait began is not its window: it starts at what is still held.
    const from = Math.max(this.consumed, this.history.start);
    const waiter: Waiter = {
      patterns: this.compile(patterns),
      from,
      since: this.history.end,
      resolve,
      overflow,
    };
    const match = this.#scan(waiter, this.history.slice(from), from);
    if (match) return this.#settle(waiter, match);
    this.#waiters.add(waiter);
    return waiter;
  }

  cancel(waiter: Waiter): void {
    this.#waiters.delete(waiter);
  }

  /** Rejects nothing itself: hands every pending waiter to `fail` and forgets them. */
  drain(fail: (waiter: Waiter) => void): void {
    const all = [...this.#waiters];
    this.#waiters.clear();
    for (const waiter of all) fail(waiter);
  }

  /** Appends console text and resolves the waits it satisfies. */
  push(text: string): void {
    if (text.length === 0) return;
    const chunkStart = this.history.end;
    this.history.append(text);
    const window = this.#window + text;
    const windowStart = this.#windowStart;
    if (this.#waiters.size > 0) {
      for (const waiter of [...this.#waiters]) {
        if (waiter.since < this.history.start && waiter.overflow) {
          // Text that arrived during the wait is being dropped: a match now would come with
          // a `before` cut where the caller cannot see it.
          this.#waiters.delete(waiter);
          waiter.overflow();
          continue;
        }
        const from = Math.max(waiter.from, windowStart, chunkStart - this.maxMatchLength);
        const match = this.#scan(waiter, window.slice(from - windowStart), from);
        if (match) {
          this.#waiters.delete(waiter);
          this.#settle(waiter, match);
        }
      }
    }
    const keep = Math.min(window.length, this.maxMatchLength);
    this.#window = window.slice(window.length - keep);
    this.#windowStart = this.history.end - keep;
  }

  #settle(waiter: Waiter, match: ExpectMatch): ExpectMatch {
    match.before = this.history.slice(waiter.from, match.start);
    this.consumed = Math.max(this.consumed, match.end);
    waiter.resolve(match);
    return match;
  }

  /** Earliest match of any pattern in `text` (which starts at absolute offset `base`). */
  #scan(waiter: Waiter, text: string, base: number): ExpectMatch | null {
    let best: ExpectMatch | null = null;
    for (let index = 0; index < waiter.patterns.length; index++) {
      const compiled = waiter.patterns[index]!;
      let at = -1;
      let groups: (string | undefined)[] = [];
      let named: Record<string, string | undefined> = {};
      let length = 0;
      if (compiled.literal !== null) {
        at = text.indexOf(compiled.literal);
        groups = [compiled.literal];
        length = compiled.literal.length;
      } else if (compiled.regex) {
        compiled.regex.lastIndex = 0;
        const found = compiled.regex.exec(text);
        if (found) {
          at = found.index;
          groups = [...found];
          named = { ...found.groups };
          length = found[0].length;
        }
      }
      if (at === -1) continue;
      const start = base + at;
      if (best === null || start < best.start) {
        best = {
          index,
          pattern: compiled.pattern,
          match: text.slice(at, at + length),
          groups,
          named,
          before: '',
          start,
          end: start + length,
        };
      }
    }
    return best;
  }
}
