import type { Console } from '../console/console.js';

/** What `attach` needs from a terminal: `process.stdin` fits, a TTY or not. */
export interface TerminalInput extends NodeJS.EventEmitter {
  isTTY?: boolean;
  isRaw?: boolean;
  setRawMode?(mode: boolean): unknown;
  resume(): unknown;
  pause(): unknown;
}

export interface TerminalOutput {
  write(chunk: Uint8Array): unknown;
}

export interface AttachOptions {
  /** Default `process.stdin`. */
  input?: TerminalInput;
  /** Default `process.stdout`. */
  output?: TerminalOutput;
  /** The byte that detaches; default 0x1d (Ctrl-]), as in `virsh console` and telnet. */
  escape?: number;
  /** Replay the ring buffer's bytes first, so the screen shows recent output; default false. */
  replay?: boolean;
  /** Detaches when aborted. */
  signal?: AbortSignal;
}

/** Why `attach` returned. */
export type DetachReason = 'escape' | 'closed' | 'aborted';

/**
 * Connects the console to a terminal, like `virsh console`: console bytes go to `output`,
 * keystrokes go to the console, and the escape byte detaches. A TTY input is put in raw mode
 * (so Ctrl-C reaches the guest) and always restored to its previous mode, also when sending
 * fails or the console closes.
 */
export function attach(console: Console, options: AttachOptions = {}): Promise<DetachReason> {
  const input = options.input ?? process.stdin;
  const output = options.output ?? process.stdout;
  const escapeByte = options.escape ?? 0x1d;
  const wasRaw = input.isRaw ?? false;
  const reader = console.reader({ history: options.replay ?? false });
  return new Promise<DetachReason>((resolve, reject) => {
    let finished = false;
    const finish = (error: unknown, reason?: DetachReason) => {
      if (finished) return;
      finished = true;
      input.off('data', onInput);
      input.pause();
      console.off('close', onClose);
      options.signal?.removeEventListener('abort', onAbort);
      reader.destroy();
      try {
        if (input.isTTY && input.setRawMode) input.setRawMode(wasRaw);
      } finally {
        if (reason) resolve(reason);
        else reject(error);
      }
    };
    const onInput = (chunk: Buffer | string) => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      const at = bytes.indexOf(escapeByte);
      const typed = at === -1 ? bytes : bytes.subarray(0, at);
      if (typed.length > 0) console.send(typed).catch((error: unknown) => finish(error));
      if (at !== -1) finish(undefined, 'escape');
    };
    const onClose = () => finish(undefined, 'closed');
    const onAbort = () => finish(undefined, 'aborted');
    try {
      if (input.isTTY && input.setRawMode) input.setRawMode(true);
      reader.on('data', (chunk: Buffer) => output.write(chunk));
      input.on('data', onInput);
      console.on('close', onClose);
      options.signal?.addEventListener('abort', onAbort, { once: true });
      input.resume();
      if (console.closed) onClose();
      if (options.signal?.aborted) onAbort();
    } catch (error) {
      finish(error);
    }
  });
}
