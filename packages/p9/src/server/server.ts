import { rmSync } from 'node:fs';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { type P9Address, parseAddress } from '../address.js';
import { InvalidOptionError } from '../errors.js';
import { DEFAULT_MSIZE, MIN_MSIZE } from '../protocol/constants.js';
import { DescriptorBudget, defaultDescriptorBudget } from './budget.js';
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
  /**
   * Descriptors the server may hold for connections, fids and open files together (each
   * counts one). Default: the process's open-file limit (RLIMIT_NOFILE, read from
   * /proc/self/limits) minus an eighth of it (at least 64) for everything else. Half is
   * reserved evenly per connection slot, half shared: a connection that finds both empty
   * gets ENFILE while the others keep their reserve.
   */
  maxDescriptors?: number;
  /**
   * Milliseconds a started frame may take to arrive completely (default 30,000): a peer that
   * sends half a frame and stops is disconnected. 0 disables.
   */
  frameTimeout?: number;
  /**
   * Milliseconds a connection may hold no fid (default 60,000): connections that never attach,
   * or let go of every fid, are closed. A mount holds its root fid and is never affected.
   * 0 disables.
   */
  idleTimeout?: number;
  /** Requests in flight per connection before the server stops reading it (default 256). */
  maxPending?: number;
  /**
   * Simultaneous connections (default 128). At the limit, a new connection replaces the
   * oldest one that holds no fid; when every connection holds fids, it is closed at once.
   */
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

function nonNegative(name: string, v: number | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || v < 0) throw new InvalidOptionError(name, 'must be an integer >= 0');
  return v;
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
  const frameTimeout = nonNegative('frameTimeout', options.frameTimeout, 30_000);
  const idleTimeout = nonNegative('idleTimeout', options.idleTimeout, 60_000);
  const budget = new DescriptorBudget(
    positive('maxDescriptors', options.maxDescriptors, defaultDescriptorBudget()),
    maxConnections,
  );
  const stats = new Stats();
  stats.descriptors = () => ({
    budget: budget.total,
    reservePerConnection: budget.reserve,
    pool: budget.pool,
    poolInUse: budget.shared,
  });
  const locks = new LockTable();
  const sessions = new Set<Session>();
  /** Sessions not yet asked to close (an evicted one closes asynchronously). */
  const live = new Set<Session>();
  const listeners: { server: net.Server; unixPath?: string }[] = [];
  let nextId = 1;

  /** Refuses a connection: closed at once, counted. */
  function refuse(stream: Duplex, why: string): Promise<void> {
    stats.rejectedConnections++;
    options.trace?.(`connection refused: ${why}`);
    stream.destroy();
    return Promise.resolve();
  }

  function handle(stream: Duplex): Promise<void> {
    if (live.size >= maxConnections) {
      // A connection holding no fid loses nothing by closing: the oldest such one makes room,
      // so idle or half-open connections cannot lock out a client that wants to mount.
      const idle = [...live].find((s) => s.holdsNoFid);
      if (!idle) return refuse(stream, `${maxConnections} connections already, all in use`);
      live.delete(idle);
      stats.evicted++;
      options.trace?.('closing the oldest connection without fids to make room');
      idle.close();
    }
    const account = budget.open();
    if (!account.take(1)) return refuse(stream, 'no descriptors left in the budget');
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
      budget: account,
      frameTimeout,
      idleTimeout,
      trace: options.trace,
    });
    sessions.add(session);
    live.add(session);
    stats.connections++;
    stats.totalConnections++;
    return session.closedPromise.then(() => {
      sessions.delete(session);
      live.delete(session);
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
