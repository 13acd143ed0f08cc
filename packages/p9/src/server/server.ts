import { rmSync } from 'node:fs';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { type P9Address, parseAddress } from '../address.js';
import { InvalidOptionError } from '../errors.js';
import { DEFAULT_MSIZE, MIN_MSIZE } from '../protocol/constants.js';
import type { FileSystem } from './filesystem.js';
import { LockTable } from './locks.js';
import { Session } from './session.js';
import { Stats, type StatsSnapshot } from './stats.js';

export interface ServerOptions {
  /** The backend to export (LocalFs, MemFs, or your own FileSystem). */
  fs: FileSystem;
  /** Refuse every change with EROFS. */
  readonly?: boolean;
  /** Largest msize offered (default and maximum 1 MiB + a little: the Linux TCP/fd limit). */
  maxMsize?: number;
  /** Fids one connection may hold (default 65536): past it, EMFILE. */
  maxFids?: number;
  /** Requests in flight per connection before the server stops reading it (default 256). */
  maxPending?: number;
  /** Simultaneous connections (default 128): more are closed at once. */
  maxConnections?: number;
  /** Largest xattr value accepted (default 64 KiB, the Linux limit). */
  maxXattrSize?: number;
  /** Receives one readable line per message (the CLI's --trace). */
  trace?: (line: string) => void;
}

export interface P9Server {
  /** Serves one already-connected stream until it closes. */
  handle(stream: Duplex): Promise<void>;
  /** Listens on `tcp:HOST:PORT` or `unix:PATH`; resolves with the bound address. */
  listen(address: string | P9Address): Promise<P9Address>;
  /** Per-operation counters and latency, connection counts. */
  stats(): StatsSnapshot;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

function positive(name: string, v: number | undefined, dflt: number, min = 1): number {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || v < min)
    throw new InvalidOptionError(name, `must be an integer >= ${min}`);
  return v;
}

export function createServer(options: ServerOptions): P9Server {
  if (!options || typeof options.fs?.attach !== 'function') {
    throw new InvalidOptionError('fs', 'a FileSystem (with attach) is required');
  }
  const maxMsize = positive('maxMsize', options.maxMsize, DEFAULT_MSIZE + 4096, MIN_MSIZE);
  const maxFids = positive('maxFids', options.maxFids, 65536);
  const maxPending = positive('maxPending', options.maxPending, 256);
  const maxConnections = positive('maxConnections', options.maxConnections, 128);
  const maxXattrSize = positive('maxXattrSize', options.maxXattrSize, 65536);
  const stats = new Stats();
  const locks = new LockTable();
  const sessions = new Set<Session>();
  const listeners: { server: net.Server; unixPath?: string }[] = [];
  let nextId = 1;

  function handle(stream: Duplex): Promise<void> {
    if (sessions.size >= maxConnections) {
      stats.rejectedConnections++;
      options.trace?.(`connection refused: ${maxConnections} connections already`);
      stream.destroy();
      return Promise.resolve();
    }
    const session = new Session(stream, {
      fs: options.fs,
      locks,
      stats,
      readonly: options.readonly ?? false,
      maxMsize,
      maxFids,
      maxPending,
      maxXattrSize,
      connectionId: `c${nextId++}`,
      trace: options.trace,
    });
    sessions.add(session);
    stats.connections++;
    stats.totalConnections++;
    return session.closedPromise.then(() => {
      sessions.delete(session);
      stats.connections--;
    });
  }

  async function listen(address: string | P9Address): Promise<P9Address> {
    const a = typeof address === 'string' ? parseAddress(address) : address;
    const server = net.createServer({ noDelay: true }, (sock) => {
      // Replies are whole frames written at once: Nagle would only delay them.
      sock.setNoDelay(true);
      void handle(sock);
    });
    if (a.kind === 'unix') rmSync(a.path, { force: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      if (a.kind === 'unix') server.listen(a.path, resolve);
      else server.listen(a.port, a.host, resolve);
    });
    listeners.push({ server, unixPath: a.kind === 'unix' ? a.path : undefined });
    const bound = server.address();
    if (a.kind === 'tcp' && bound && typeof bound === 'object')
      return { kind: 'tcp', host: a.host, port: bound.port };
    return a;
  }

  async function close(): Promise<void> {
    // Stop accepting first, then close live connections (server.close waits for them).
    const stopped = listeners.splice(0).map(
      (l) =>
        new Promise<void>((resolve) => {
          l.server.close(() => resolve());
          if (l.unixPath) rmSync(l.unixPath, { force: true });
        }),
    );
    const all = [...sessions];
    for (const s of all) s.close();
    await Promise.all([...stopped, ...all.map((s) => s.closedPromise)]);
  }

  return { handle, listen, stats: () => stats.snapshot(), close };
}
