import {
  QmpAbortError,
  QmpArgumentError,
  QmpConnectionClosedError,
  QmpLimitError,
  QmpTimeoutError,
} from '../errors.js';
import type { QmpEventMessage } from '../protocol/messages.js';

export type EventListener = (event: QmpEventMessage) => void;

export interface EventStreamOptions {
  /** Only these event names (all when omitted). */
  names?: readonly string[];
  /** Ends the iteration (cleanly, without throwing) when aborted. */
  signal?: AbortSignal;
  /**
   * Most events held for a reader that does not keep up (default 10 000). Past it the
   * iterator stops collecting, hands out what it holds, then throws `QmpLimitError`; the
   * connection stays open.
   */
  maxQueuedEvents?: number;
}

export const DEFAULT_MAX_QUEUED_EVENTS = 10_000;

export interface WaitForEventOptions {
  timeout?: number;
  signal?: AbortSignal;
  /** Also match events already in the history (received since `since`, an index). */
  sinceHistoryIndex?: number;
}

/**
 * Fans QMP events out to listeners, async iterators and waiters, strictly in arrival order,
 * and keeps a bounded history. Dispatch is synchronous, so listeners for an event QEMU sends
 * before a command's reply (STOP before `stop` returns) run before that command resolves.
 */
export class EventHub {
  private readonly listeners = new Map<string, Set<EventListener>>();
  private readonly history: QmpEventMessage[] = [];
  private dropped = 0;
  private closedError: Error | undefined;
  private readonly closeHooks = new Set<(err: Error) => void>();

  constructor(
    private readonly historyLimit: number,
    private readonly onListenerError: (error: unknown, event: QmpEventMessage) => void,
  ) {}

  /** Subscribes to one event name, or `'*'` for all. Returns the unsubscribe function. */
  on(name: string, listener: EventListener): () => void {
    let set = this.listeners.get(name);
    if (!set) {
      set = new Set();
      this.listeners.set(name, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  }

  dispatch(event: QmpEventMessage): void {
    this.history.push(event);
    if (this.history.length > this.historyLimit) {
      this.history.shift();
      this.dropped++;
    }
    for (const key of [event.event, '*']) {
      const set = this.listeners.get(key);
      if (!set) continue;
      for (const listener of [...set]) {
        try {
          listener(event);
        } catch (err) {
          // A throwing listener must not break the session, the other listeners, or the process.
          this.onListenerError(err, event);
        }
      }
    }
  }

  /** The most recent events (at most `historyLimit`), oldest first. */
  recent(): readonly QmpEventMessage[] {
    return this.history;
  }

  /** Index of the next event to arrive, for `sinceHistoryIndex`. Monotonic. */
  get position(): number {
    return this.dropped + this.history.length;
  }

  close(err: Error): void {
    this.closedError = err;
    for (const hook of [...this.closeHooks]) hook(err);
    this.closeHooks.clear();
  }

  async *stream(
    options: EventStreamOptions = {},
  ): AsyncGenerator<QmpEventMessage, void, undefined> {
    const names = options.names ? new Set(options.names) : undefined;
    const maxQueued = options.maxQueuedEvents ?? DEFAULT_MAX_QUEUED_EVENTS;
    if (!Number.isSafeInteger(maxQueued) || maxQueued <= 0) {
      throw new QmpArgumentError('maxQueuedEvents', `must be a positive integer, got ${maxQueued}`);
    }
    const queue: QmpEventMessage[] = [];
    let wake: (() => void) | undefined;
    let ended = this.closedError !== undefined;
    let overflow: QmpLimitError | undefined;
    const off = this.on('*', (event) => {
      if (names && !names.has(event.event)) return;
      if (queue.length >= maxQueued) {
        // A reader this far behind would otherwise let a chatty peer grow memory forever.
        overflow = new QmpLimitError(
          'maxQueuedEvents',
          maxQueued,
          `more than ${maxQueued} QMP events waiting for the events() reader`,
        );
        ended = true;
        off();
      } else queue.push(event);
      wake?.();
    });
    const end = () => {
      ended = true;
      wake?.();
    };
    this.closeHooks.add(end);
    options.signal?.addEventListener('abort', end, { once: true });
    try {
      for (;;) {
        const next = queue.shift();
        if (next) {
          yield next;
          continue;
        }
        if (overflow) throw overflow;
        if (ended || options.signal?.aborted) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    } finally {
      off();
      this.closeHooks.delete(end);
      options.signal?.removeEventListener('abort', end);
    }
  }

  waitFor(
    name: string,
    predicate: ((event: QmpEventMessage) => boolean) | undefined,
    options: WaitForEventOptions = {},
  ): Promise<QmpEventMessage> {
    const what = `waiting for event ${name}`;
    if (options.sinceHistoryIndex !== undefined) {
      const from = Math.max(0, options.sinceHistoryIndex - this.dropped);
      for (const event of this.history.slice(from)) {
        if (event.event === name && (!predicate || predicate(event))) return Promise.resolve(event);
      }
    }
    if (this.closedError) return Promise.reject(closedWhile(what, this.closedError));
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const cleanup = () => {
        off();
        this.closeHooks.delete(onClose);
        if (timer) clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
      };
      const off = this.on(name, (event) => {
        if (predicate && !predicate(event)) return;
        cleanup();
        resolve(event);
      });
      const onClose = (err: Error) => {
        cleanup();
        reject(closedWhile(what, err));
      };
      const onAbort = () => {
        cleanup();
        reject(new QmpAbortError(what, options.signal?.reason));
      };
      this.closeHooks.add(onClose);
      if (options.timeout !== undefined) {
        timer = setTimeout(() => {
          cleanup();
          reject(new QmpTimeoutError(what, options.timeout ?? 0));
        }, options.timeout);
      }
      if (options.signal?.aborted) onAbort();
      else options.signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

function closedWhile(what: string, err: Error): Error {
  const reason = err instanceof QmpConnectionClosedError ? err.reason : err.message;
  return new QmpConnectionClosedError(what, reason, { cause: err });
}
