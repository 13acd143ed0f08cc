import { rm } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { InvalidOptionError } from '../errors.js';
import { openFailure } from './errors-map.js';

export interface ConnectOptions {
  /** Keep retrying a missing or refusing endpoint for this many ms (QEMU still starting). */
  retryFor?: number;
  signal?: AbortSignal;
}

/** Connects to a QEMU `server=on` Unix-socket chardev (serial, virtconsole, virtserialport). */
export function connectUnix(path: string, options: ConnectOptions = {}): Promise<Socket> {
  return withRetry(path, options, () => connect({ path }));
}

/** Connects to a QEMU `server=on` TCP chardev. */
export function connectTcp(
  host: string,
  port: number,
  options: ConnectOptions = {},
): Promise<Socket> {
  if (!Number.isInteger(port) || port <= 0 || port > 65535)
    throw new InvalidOptionError('port', `must be 1-65535, got ${port}`);
  return withRetry(`tcp:${host}:${port}`, options, () => connect({ host, port }));
}

async function withRetry(
  endpoint: string,
  options: ConnectOptions,
  open: () => Socket,
): Promise<Socket> {
  const deadline = Date.now() + (options.retryFor ?? 0);
  for (;;) {
    try {
      return await once(open());
    } catch (error) {
      const failure = openFailure(endpoint, error);
      if (Date.now() >= deadline || options.signal?.aborted) throw failure;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

function once(socket: Socket): Promise<Socket> {
  return new Promise((resolve, reject) => {
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/**
 * A listening endpoint for QEMU chardevs with `server=off`: QEMU connects to us. `accept()`
 * resolves with the next connection.
 */
export class ChardevListener {
  readonly #server: Server;
  readonly #pending: Socket[] = [];
  readonly #waiting: ((socket: Socket) => void)[] = [];

  constructor(
    server: Server,
    /** The socket path or `host:port` listened on. */
    readonly address: string,
    readonly port: number | undefined,
  ) {
    this.#server = server;
    server.on('connection', (socket) => {
      const waiter = this.#waiting.shift();
      if (waiter) waiter(socket);
      else this.#pending.push(socket);
    });
  }

  accept(): Promise<Socket> {
    const ready = this.#pending.shift();
    if (ready) return Promise.resolve(ready);
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  /**
   * Stops listening; accepted connections stay open. (Not waiting for the server's close
   * callback: it only fires once every accepted connection has ended.)
   */
  close(): Promise<void> {
    if (this.#server.listening) this.#server.close();
    return Promise.resolve();
  }
}

/** Listens on a Unix socket path (replacing a stale socket file there). */
export async function listenUnix(path: string): Promise<ChardevListener> {
  await rm(path, { force: true });
  const server = createServer();
  await listen(server, path, () => server.listen(path));
  return new ChardevListener(server, path, undefined);
}

/** Listens on TCP; port 0 picks a free one (see `listener.port`). */
export async function listenTcp(host: string, port: number): Promise<ChardevListener> {
  const server = createServer();
  await listen(server, `tcp:${host}:${port}`, () => server.listen(port, host));
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  return new ChardevListener(server, `${host}:${bound}`, bound);
}

function listen(server: Server, endpoint: string, start: () => void): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error) => reject(openFailure(endpoint, error)));
    server.once('listening', () => resolve());
    start();
  });
}
