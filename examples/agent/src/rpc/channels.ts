import { AgentError, ClosedError } from '../errors.js';

/** Bytes a sender may have in flight on one sub-channel before the receiver grants more. */
export const DEFAULT_WINDOW = 256 * 1024;
/** Largest DATA payload: small frames keep the other calls' replies flowing between chunks. */
export const MAX_CHUNK = 64 * 1024;

/**
 * The receiving end of a sub-channel: a queue bounded by the window the sender was given.
 * Credit goes back as the consumer takes bytes, so a slow consumer stalls the sender instead
 * of growing memory.
 */
export class IncomingChannel implements AsyncIterable<Buffer> {
  #queue: Buffer[] = [];
  #queued = 0;
  #consumedSinceGrant = 0;
  #ended = false;
  #error: Error | undefined;
  #wake: (() => void) | undefined;

  constructor(
    readonly window: number,
    private readonly grant: (bytes: number) => void,
  ) {}

  /** Returns false when the sender overran its credit (a protocol violation). */
  push(data: Buffer): boolean {
    if (this.#ended) return true;
    this.#queued += data.length;
    if (this.#queued > this.window) return false;
    this.#queue.push(data);
    this.#wakeUp();
    return true;
  }

  end(): void {
    this.#ended = true;
    this.#wakeUp();
  }

  fail(error: Error): void {
    this.#error ??= error;
    this.#ended = true;
    this.#wakeUp();
  }

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    for (;;) {
      const chunk = this.#queue.shift();
      if (chunk !== undefined) {
        this.#queued -= chunk.length;
        this.#consumedSinceGrant += chunk.length;
        // Batch grants: one CREDIT frame per quarter window, not one per chunk.
        if (this.#consumedSinceGrant >= this.window / 4 || this.#queue.length === 0) {
          if (!this.#ended) this.grant(this.#consumedSinceGrant);
          this.#consumedSinceGrant = 0;
        }
        yield chunk;
        continue;
      }
      if (this.#error) throw this.#error;
      if (this.#ended) return;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }

  /** Reads everything into one buffer (for small transfers and tests). */
  async collect(limit = 64 * 1024 * 1024): Promise<Buffer> {
    const parts: Buffer[] = [];
    let size = 0;
    for await (const chunk of this) {
      size += chunk.length;
      if (size > limit) throw new AgentError('FLOW', `more than ${limit} bytes to collect`);
      parts.push(chunk);
    }
    return Buffer.concat(parts);
  }
}

/** The sending end: `send` waits for credit, then for the transport's own backpressure. */
export class OutgoingChannel {
  #credit: number;
  #waiter: (() => void) | undefined;
  #closed: Error | undefined;
  #ended = false;

  constructor(
    window: number,
    private readonly emit: (data: Buffer) => Promise<void>,
    private readonly emitEnd: () => void,
  ) {
    this.#credit = window;
  }

  addCredit(bytes: number): void {
    this.#credit += bytes;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.();
  }

  close(error: Error = new ClosedError()): void {
    this.#closed ??= error;
    this.addCredit(0);
  }

  async send(data: Uint8Array): Promise<void> {
    if (this.#ended) throw new AgentError('FLOW', 'write after end of stream');
    let offset = 0;
    while (offset < data.length) {
      while (this.#credit <= 0 && !this.#closed) {
        await new Promise<void>((resolve) => {
          this.#waiter = resolve;
        });
      }
      if (this.#closed) throw this.#closed;
      const n = Math.min(this.#credit, MAX_CHUNK, data.length - offset);
      this.#credit -= n;
      await this.emit(Buffer.from(data.buffer, data.byteOffset + offset, n));
      offset += n;
    }
  }

  end(): void {
    if (this.#ended || this.#closed) return;
    this.#ended = true;
    this.emitEnd();
  }
}
