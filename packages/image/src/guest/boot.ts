import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { GuestTimeoutError, InvalidOptionError, QemuNotFoundError } from '../errors.js';
import type { Initramfs } from '../initramfs/build.js';
import { findKernel, type Kernel } from '../kernel.js';
import {
  ConsoleTranscript,
  guestGoneError,
  type OutputMatch,
  type WaitForOutputOptions,
} from './console-transcript.js';
import { type Accelerator, type GuestMachineOptions, qemuArgs } from './qemu-args.js';

export interface BootGuestOptions extends GuestMachineOptions {
  /** The initramfs (a path or what `buildInitramfs` returned). */
  initramfs: string | Initramfs;
  /** Kernel image; default the initramfs's kernel, else `findKernel()`. */
  kernel?: string | Kernel;
  /** The QEMU binary; default `MULTIVERSE_QEMU` or `qemu-system-x86_64`. */
  qemu?: string;
  /** Kill the guest after this many milliseconds. */
  timeout?: number;
  /** How long QEMU may take to open its console socket; default 30,000 ms. */
  startTimeout?: number;
  /** Stops the guest when aborted. */
  signal?: AbortSignal;
  /** Characters of console output kept in memory; default 8 Mi. */
  consoleLimit?: number;
}

export interface GuestExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Every guest still running, so none outlives the process that started it. */
const liveGuests = new Set<Guest>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const guest of liveGuests) guest.killNow();
  });
}

/**
 * A running tiny guest: its QEMU process, its temporary folder of sockets, and its serial
 * console (connected before the guest starts, so the whole boot log is there). `stop()`
 * always kills QEMU and removes the folder; it is also run at process exit.
 */
export class Guest implements AsyncDisposable {
  readonly transcript: ConsoleTranscript;
  readonly exited: Promise<GuestExit>;
  #exit: GuestExit | undefined;
  #stderr = '';
  #stopping: Promise<void> | undefined;
  #console: Socket | undefined;

  constructor(
    /** Temporary folder holding the sockets and the console log; removed by `stop()`. */
    readonly dir: string,
    readonly process: ChildProcess,
    /** The full QEMU command line (binary first). */
    readonly argv: readonly string[],
    /** QEMU's QMP socket (`server=on,wait=off`). */
    readonly qmpSocket: string,
    /** The serial console socket (ttyS0). */
    readonly consoleSocket: string,
    /** QEMU's own log of every console byte. */
    readonly consoleLog: string,
    /** virtio-serial port name -> host Unix socket. */
    readonly virtioSerialSockets: Readonly<Record<string, string>>,
    consoleLimit?: number,
  ) {
    this.transcript = new ConsoleTranscript(consoleLimit);
    this.process.stderr?.setEncoding('utf8');
    this.process.stderr?.on('data', (chunk: string) => {
      if (this.#stderr.length < 64 * 1024) this.#stderr += chunk;
    });
    this.process.stdout?.resume();
    this.exited = new Promise((resolve) => {
      this.process.once('exit', (code, signal) => {
        this.#exit = { code, signal };
        liveGuests.delete(this);
        this.transcript.close(guestGoneError(code, signal, this.#stderr));
        resolve(this.#exit);
      });
    });
    liveGuests.add(this);
    installExitHook();
  }

  /** The connected console socket: write to it to type on ttyS0. */
  get console(): Socket {
    if (!this.#console) throw new Error('the guest console is not connected yet');
    return this.#console;
  }

  /** What QEMU wrote on stderr so far. */
  get stderr(): string {
    return this.#stderr;
  }

  get running(): boolean {
    return this.#exit === undefined;
  }

  /** @internal Attaches the console socket once QEMU accepted the connection. */
  attachConsole(socket: Socket): void {
    this.#console = socket;
    const decoder = new StringDecoder('utf8');
    socket.on('data', (chunk: Buffer) => this.transcript.append(decoder.write(chunk)));
    socket.on('error', () => {
      // QEMU closing the socket as it exits is expected; `exited` reports the real outcome.
    });
  }

  /** Everything the console printed so far. */
  output(from = 0): string {
    return this.transcript.text(from);
  }

  /** Waits for console output matching `pattern` (a string matches literally). */
  waitForOutput(pattern: string | RegExp, options?: WaitForOutputOptions): Promise<OutputMatch> {
    return this.transcript.waitFor(pattern, options);
  }

  /** Types `text` on the console. */
  write(text: string | Uint8Array): void {
    this.console.write(text);
  }

  /** Waits until QEMU exits by itself (the guest powered off), or the timeout passes. */
  async waitForExit(timeout = 60_000): Promise<GuestExit> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new GuestTimeoutError(`QEMU still running after ${timeout} ms`, this.transcript.tail()),
          ),
        timeout,
      );
    });
    try {
      return await Promise.race([this.exited, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Kills QEMU (SIGTERM, then SIGKILL after 3 s) and removes the temporary folder. */
  stop(): Promise<void> {
    this.#stopping ??= (async () => {
      if (this.running) {
        this.process.kill('SIGTERM');
        const killer = setTimeout(() => this.process.kill('SIGKILL'), 3000);
        await this.exited;
        clearTimeout(killer);
      }
      this.#console?.destroy();
      rmSync(this.dir, { recursive: true, force: true });
    })();
    return this.#stopping;
  }

  /** Synchronous cleanup for process exit: no promises run then. */
  killNow(): void {
    if (this.running) this.process.kill('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function tryConnect(path: string): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', () => {
      socket.destroy();
      resolve(undefined);
    });
  });
}

async function waitForSockets(guest: Guest, paths: readonly string[]): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!paths.every((path) => existsSync(path))) {
    if (!guest.running) {
      const exit = await guest.exited;
      throw guestGoneError(exit.code, exit.signal, guest.stderr);
    }
    if (Date.now() > deadline) {
      const missing = paths.filter((path) => !existsSync(path)).join(', ');
      throw new GuestTimeoutError(`QEMU did not create ${missing}`, guest.stderr);
    }
    await delay(10);
  }
}

/**
 * Boots a tiny guest under QEMU: direct kernel boot of `initramfs`, console on ttyS0, QMP on
 * a Unix socket, optional user networking, virtio-serial ports and 9p shares. Resolves once
 * QEMU has accepted the console connection (the guest starts running then).
 */
export async function bootGuest(options: BootGuestOptions): Promise<Guest> {
  const initramfs =
    typeof options.initramfs === 'string' ? options.initramfs : options.initramfs.path;
  const kernel =
    typeof options.kernel === 'string'
      ? options.kernel
      : (
          options.kernel ??
          (typeof options.initramfs === 'string' ? findKernel() : options.initramfs.kernel)
        ).image;
  const accelFromEnv = process.env.MULTIVERSE_ACCEL;
  if (accelFromEnv && accelFromEnv !== 'tcg' && accelFromEnv !== 'kvm') {
    throw new InvalidOptionError('MULTIVERSE_ACCEL', `must be tcg or kvm, got "${accelFromEnv}"`);
  }
  const accel = options.accel ?? (accelFromEnv as Accelerator | undefined) ?? 'tcg';
  const qemu = options.qemu ?? process.env.MULTIVERSE_QEMU ?? 'qemu-system-x86_64';

  const dir = mkdtempSync(join(tmpdir(), 'mv-guest-'));
  const sockets = {
    console: join(dir, 'console.sock'),
    consoleLog: join(dir, 'console.log'),
    qmp: join(dir, 'qmp.sock'),
    virtioSerial: Object.fromEntries(
      (options.virtioSerialPorts ?? []).map((name) => [name, join(dir, `vser-${name}.sock`)]),
    ),
  };
  let args: string[];
  try {
    args = qemuArgs({ ...options, kernel, initramfs, accel, sockets });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }

  const child = spawn(qemu, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const spawned = await new Promise<Error | undefined>((resolve) => {
    child.once('spawn', () => resolve(undefined));
    child.once('error', (error) => resolve(error));
  });
  if (spawned) {
    rmSync(dir, { recursive: true, force: true });
    if ((spawned as NodeJS.ErrnoException).code === 'ENOENT') throw new QemuNotFoundError(qemu);
    throw spawned;
  }
  const guest = new Guest(
    dir,
    child,
    [qemu, ...args],
    sockets.qmp,
    sockets.console,
    sockets.consoleLog,
    sockets.virtioSerial,
    options.consoleLimit,
  );

  try {
    const deadline = Date.now() + (options.startTimeout ?? 30_000);
    for (;;) {
      if (!guest.running) {
        const exit = await guest.exited;
        throw guestGoneError(exit.code, exit.signal, guest.stderr);
      }
      const socket = await tryConnect(sockets.console);
      if (socket) {
        guest.attachConsole(socket);
        break;
      }
      if (Date.now() > deadline) {
        throw new GuestTimeoutError('QEMU did not open its console socket in time', guest.stderr);
      }
      await delay(20);
    }
  } catch (error) {
    await guest.stop();
    throw error;
  }

  try {
    // QEMU creates its chardevs in command-line order and blocks on the console until we
    // connect, so the QMP and virtio-serial sockets appear only after that: wait for them
    // too, or a caller connecting right away would race QEMU.
    await waitForSockets(guest, [sockets.qmp, ...Object.values(sockets.virtioSerial)]);
  } catch (error) {
    await guest.stop();
    throw error;
  }

  if (options.timeout !== undefined) {
    setTimeout(() => void guest.stop(), options.timeout).unref();
  }
  if (options.signal) {
    if (options.signal.aborted) await guest.stop();
    else options.signal.addEventListener('abort', () => void guest.stop(), { once: true });
  }
  return guest;
}
