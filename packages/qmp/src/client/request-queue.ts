import {
  QmpAbortError,
  QmpCommandError,
  QmpConnectionClosedError,
  QmpLimitError,
  QmpTimeoutError,
} from '../errors.js';
import { encodeCommand } from '../protocol/encoder.js';
import type { QmpServerMessage } from '../protocol/messages.js';
import { Gate } from './gate.js';
import type { ExecuteOptions } from './types.js';

interface Pending {
  command: string;
  oob: boolean;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  cleanup: () => void;
}

/** A reply or error message from the server. */
export type QmpReplyMessage = Extract<QmpServerMessage, { kind: 'return' | 'error' }>;

export interface RequestQueueOptions {
  /** Writes one encoded command line to the peer. */
  write: (line: string) => void;
  /** Most OOB commands on the wire at once. */
  maxOobInFlight: number;
  /** Timeout of commands whose own options give none (ms; none when undefined). */
  commandTimeout?: number;
}

/**
 * The commands of one QMP session between send and reply: ids, the two gates that keep
 * in-band and OOB commands under QEMU's queue limits, per-command timeouts and aborts, and
 * the late replies of commands given up on. Knows nothing of the stream beyond `write`.
 */
export class RequestQueue {
  private readonly pending = new Map<number, Pending>();
  // Ids given up on (timeout/abort): their late replies are dropped, not reported as unexpected.
  private readonly abandoned = new Map<number, boolean>();
  private readonly inBand = new Gate(Number.POSITIVE_INFINITY);
  private readonly outOfBand: Gate;
  private nextId = 1;
  private closedError: QmpConnectionClosedError | undefined;

  constructor(private readonly options: RequestQueueOptions) {
    this.outOfBand = new Gate(options.maxOobInFlight);
  }

  /** Most in-band commands on the wire at once (set once capabilities are known). */
  setInBandLimit(limit: number): void {
    this.inBand.setLimit(limit);
  }

  /**
   * Sends `command` when its gate lets it and resolves with the reply's `return` value. The
   * caller has checked the name and arguments. After `close()` it rejects at once.
   */
  send(
    command: string,
    args: unknown,
    oob: boolean,
    options: ExecuteOptions = {},
  ): Promise<unknown> {
    if (this.closedError) {
      return Promise.reject(new QmpConnectionClosedError(command, this.closedError.reason));
    }
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(new QmpAbortError(command, signal.reason));
    const timeout = options.timeout ?? this.options.commandTimeout;
    const gate = oob ? this.outOfBand : this.inBand;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      let written = false;
      const giveUp = (err: Error) => {
        cancelGate();
        entry.cleanup();
        if (written) {
          this.pending.delete(id);
          this.abandoned.set(id, oob);
        }
        reject(err);
      };
      const onAbort = () => giveUp(new QmpAbortError(command, signal?.reason));
      const entry: Pending = {
        command,
        oob,
        resolve,
        reject,
        cleanup: () => {
          if (timer) clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
        },
      };
      if (timeout !== undefined) {
        timer = setTimeout(() => giveUp(new QmpTimeoutError(command, timeout)), timeout);
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      const cancelGate = gate.enter(() => {
        if (this.closedError) {
          gate.leave();
          entry.cleanup();
          reject(new QmpConnectionClosedError(command, this.closedError.reason));
          return;
        }
        written = true;
        this.pending.set(id, entry);
        this.options.write(encodeCommand({ command, args, oob, id }));
      });
    });
  }

  /**
   * Settles the command a reply answers. Returns false when no command waits for its id
   * (nor was given up on): an unexpected reply, for the caller to report.
   */
  settle(message: QmpReplyMessage): boolean {
    const id = message.id;
    const entry = typeof id === 'number' ? this.pending.get(id) : undefined;
    if (!entry) {
      const abandonedOob = typeof id === 'number' ? this.abandoned.get(id) : undefined;
      if (abandonedOob === undefined) return false;
      this.abandoned.delete(id as number);
      (abandonedOob ? this.outOfBand : this.inBand).leave();
      return true;
    }
    this.pending.delete(id as number);
    entry.cleanup();
    (entry.oob ? this.outOfBand : this.inBand).leave();
    if (message.kind === 'return') entry.resolve(message.value);
    else entry.reject(new QmpCommandError(entry.command, message.errorClass, message.desc, id));
    return true;
  }

  /**
   * The connection is gone (`error`): every command on the wire rejects with it (a limit
   * error as its per-command form), and those still at a gate when they get their turn.
   */
  close(error: QmpConnectionClosedError, cause?: unknown): void {
    if (this.closedError) return;
    this.closedError = error;
    for (const entry of this.pending.values()) {
      entry.cleanup();
      entry.reject(
        cause instanceof QmpLimitError
          ? cause.forCommand(entry.command)
          : new QmpConnectionClosedError(entry.command, error.reason, { cause }),
      );
    }
    this.pending.clear();
    this.abandoned.clear();
    this.inBand.setLimit(Number.POSITIVE_INFINITY);
    this.outOfBand.setLimit(Number.POSITIVE_INFINITY);
  }
}
