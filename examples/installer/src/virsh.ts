import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { InstallerError, LibvirtError } from './errors.js';

export interface VirshResult {
  command: string;
  output: string;
  ok: boolean;
}

/**
 * One long-lived `virsh -c URI` shell fed commands on stdin. One process matters: the test
 * driver (`test:///default`, `test:///path/node.xml`) keeps its state only for the life of a
 * process, so defining, checking and undefining must all go through the same virsh. Each
 * command is followed by `echo` of a marker; the output up to the marker is the command's
 * (stderr is merged into stdout by the shell, so errors stay in order).
 */
export class VirshSession {
  private buffer = '';
  private counter = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private waiting:
    | { marker: string; resolve: (text: string) => void; reject: (e: Error) => void }
    | undefined;
  private exited: Error | undefined;

  private constructor(
    readonly uri: string,
    private readonly child: ChildProcessWithoutNullStreams,
  ) {
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      this.buffer += chunk;
      this.deliver();
    });
    child.on('error', (error) =>
      this.fail(
        new InstallerError('LIBVIRT_FAILED', `cannot run virsh: ${error.message}`, {
          cause: error,
        }),
      ),
    );
    child.on('exit', (code) =>
      this.fail(
        new InstallerError(
          'LIBVIRT_FAILED',
          `virsh -c ${uri} exited (${code}): ${this.buffer.trim().slice(-500)}`,
        ),
      ),
    );
  }

  static async open(uri: string): Promise<VirshSession> {
    const child = spawn('sh', ['-c', 'exec virsh -q -c "$1" 2>&1', 'sh', uri], { stdio: 'pipe' });
    const session = new VirshSession(uri, child);
    const hello = await session.run('uri');
    if (!hello.ok) throw new LibvirtError(`-c ${uri}`, hello.output);
    return session;
  }

  private fail(error: Error): void {
    this.exited ??= error;
    this.waiting?.reject(error);
    this.waiting = undefined;
  }

  private deliver(): void {
    const waiting = this.waiting;
    if (!waiting) return;
    const at = this.buffer.indexOf(waiting.marker);
    if (at < 0) return;
    const text = this.buffer.slice(0, at);
    this.buffer = this.buffer.slice(at + waiting.marker.length);
    this.waiting = undefined;
    waiting.resolve(text);
  }

  /** Runs one virsh command (arguments already quoted for virsh's shell). */
  run(command: string): Promise<VirshResult> {
    const next = this.queue.then(async () => {
      if (this.exited) throw this.exited;
      this.counter += 1;
      const marker = `@@mv-${this.counter}@@`;
      const text = await new Promise<string>((resolve, reject) => {
        this.waiting = { marker, resolve, reject };
        // The marker is split by quotes so the echoed command line never contains it.
        this.child.stdin.write(`${command}\necho "@@mv""-${this.counter}@@"\n`);
      });
      const output = text
        .split('\n')
        .filter((line) => !line.startsWith('virsh # '))
        .join('\n')
        .trim();
      return { command, output, ok: !/^error: /m.test(output) };
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Like `run`, throwing `LibvirtError` when virsh reports an error. */
  async must(command: string): Promise<string> {
    const result = await this.run(command);
    if (!result.ok) throw new LibvirtError(command, result.output);
    return result.output;
  }

  async close(): Promise<void> {
    if (this.exited) return;
    const done = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin.end('quit\n');
    await done;
  }
}

/** Quotes an argument for virsh's shell (which has no way to escape a single quote in one). */
export function virshQuote(value: string): string {
  if (value.includes("'") || value.includes('\n')) {
    throw new InstallerError('USAGE', `cannot pass ${JSON.stringify(value)} to virsh`);
  }
  return `'${value}'`;
}
