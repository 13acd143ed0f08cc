import { type ChildProcess, type StdioOptions, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { QmpClient } from '../client/client.js';
import type { QmpClientOptions } from '../client/options.js';
import { QemuMachineError, QmpError } from '../errors.js';

/** A file descriptor handed to QEMU at start-up with `-add-fd` (see README, "fd passing"). */
export interface PassedFd {
  /** An open fd of this process (e.g. from `fs.openSync`). */
  fd: number;
  /** The fdset id: QEMU then accepts `/dev/fdset/<set>` wherever it takes a file name. */
  set: number;
  opaque?: string;
}

export interface QemuMachineOptions {
  /** Default `qemu-system-x86_64`. */
  binary?: string;
  /** QEMU arguments; the QMP socket is added by the launcher. */
  args?: readonly string[];
  /** Fds passed with `-add-fd` (SCM_RIGHTS over the QMP socket needs a native addon in Node). */
  fds?: readonly PassedFd[];
  /** How long to wait for QMP to come up (ms). Default 30 000. */
  startTimeout?: number;
  /** Options for the QMP client. */
  client?: QmpClientOptions;
  env?: NodeJS.ProcessEnv;
}

export interface ShutdownOptions {
  /** Time for the guest to power off after `system_powerdown` (ms). Default 30 000; 0 skips it. */
  powerdownTimeout?: number;
  /** Time for QEMU to exit after `quit` (ms). Default 5 000. */
  quitTimeout?: number;
}

export interface MachineExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** How the machine ended: on its own, ACPI powerdown, QMP quit, or SIGKILL. */
  via: 'exit' | 'powerdown' | 'quit' | 'kill';
}

/**
 * A QEMU process with a QMP socket this object owns. `launch()` resolves once the greeting
 * and capability negotiation are done; `shutdown()` escalates powerdown -> quit -> SIGKILL and
 * removes the socket directory.
 */
export class QemuMachine {
  private readonly logChunks: string[] = [];
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly exitPromise: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private cleaned = false;

  private constructor(
    readonly process: ChildProcess,
    readonly dir: string,
    readonly qmpSocket: string,
    private qmp: QmpClient | undefined,
  ) {
    this.exitPromise = new Promise((resolve) => {
      process.once('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      });
    });
    for (const stream of [process.stdout, process.stderr]) {
      stream?.setEncoding('utf8');
      stream?.on('data', (text: string) => this.logChunks.push(text));
    }
  }

  static async launch(options: QemuMachineOptions = {}): Promise<QemuMachine> {
    const binary = options.binary ?? 'qemu-system-x86_64';
    const dir = mkdtempSync(join(tmpdir(), 'mv-qemu-'));
    const qmpSocket = join(dir, 'qmp.sock');
    const fds = options.fds ?? [];
    const stdio: StdioOptions = ['ignore', 'pipe', 'pipe', ...fds.map((f) => f.fd)];
    const fdArgs = fds.flatMap((f, i) => [
      '-add-fd',
      `fd=${3 + i},set=${f.set}${f.opaque ? `,opaque=${f.opaque}` : ''}`,
    ]);
    const args = [
      ...(options.args ?? []),
      ...fdArgs,
      '-qmp',
      `unix:${qmpSocket},server=on,wait=off`,
    ];
    const child = spawn(binary, args, { stdio, env: options.env });
    const machine = new QemuMachine(child, dir, qmpSocket, undefined);
    const spawnError = new Promise<never>((_, reject) => {
      child.once('error', (err) =>
        reject(new QemuMachineError(`cannot start ${binary}: ${err.message}`, { cause: err })),
      );
      machine.exitPromise.then(({ code, signal }) =>
        reject(
          new QemuMachineError(
            `${binary} exited (code ${code}, signal ${signal}) before QMP was ready: ${machine.log().trim().slice(-2000)}`,
          ),
        ),
      );
    });
    // Observed from the start: it also rejects after a successful launch, when QEMU exits.
    spawnError.catch(() => {});
    try {
      machine.qmp = await Promise.race([
        QmpClient.connect(
          { path: qmpSocket },
          { ...options.client, retry: { timeout: options.startTimeout ?? 30_000 } },
        ),
        spawnError,
      ]);
    } catch (err) {
      await machine.kill();
      throw err instanceof QmpError
        ? err
        : new QemuMachineError(`QMP did not come up: ${(err as Error).message}`, { cause: err });
    }
    return machine;
  }

  /** The QMP session (the launcher's own; QEMU serves one client per socket at a time). */
  get client(): QmpClient {
    if (!this.qmp) throw new QemuMachineError('QMP is not connected');
    return this.qmp;
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  /** Everything QEMU wrote to stdout and stderr so far. */
  log(): string {
    return this.logChunks.join('');
  }

  get exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    return this.exitPromise;
  }

  private async waitExit(ms: number): Promise<boolean> {
    if (this.exitInfo) return true;
    const ac = new AbortController();
    const done = await Promise.race([
      this.exitPromise.then(() => true),
      sleep(ms, false, { signal: ac.signal }).catch(() => false),
    ]);
    ac.abort();
    return done;
  }

  /** Graceful stop: `system_powerdown`, then `quit`, then SIGKILL, each after its timeout. */
  async shutdown(options: ShutdownOptions = {}): Promise<MachineExit> {
    let via: MachineExit['via'] = 'exit';
    const powerdownTimeout = options.powerdownTimeout ?? 30_000;
    if (!this.exitInfo && powerdownTimeout > 0 && this.qmp && !this.qmp.isClosed) {
      via = 'powerdown';
      const started = Date.now();
      await this.qmp.execute('system_powerdown', {}, { timeout: powerdownTimeout }).catch(() => {});
      await this.waitExit(Math.max(0, powerdownTimeout - (Date.now() - started)));
    }
    if (!this.exitInfo && this.qmp && !this.qmp.isClosed) {
      via = 'quit';
      // QEMU may close the socket before replying to quit: a closed-connection error is fine.
      const quitTimeout = options.quitTimeout ?? 5_000;
      const started = Date.now();
      await this.qmp.execute('quit', {}, { timeout: quitTimeout }).catch(() => {});
      await this.waitExit(Math.max(0, quitTimeout - (Date.now() - started)));
    }
    if (!this.exitInfo) {
      via = 'kill';
      await this.kill();
    }
    const { code, signal } = await this.exitPromise;
    this.cleanup();
    return { code, signal, via };
  }

  /** SIGKILL now and clean up. */
  async kill(): Promise<void> {
    if (!this.exitInfo && this.process.pid !== undefined) this.process.kill('SIGKILL');
    if (this.process.pid !== undefined) await this.exitPromise;
    this.cleanup();
  }

  private cleanup(): void {
    if (this.cleaned) return;
    this.cleaned = true;
    void this.qmp?.close();
    rmSync(this.dir, { recursive: true, force: true });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.shutdown({ powerdownTimeout: 0 });
  }
}
