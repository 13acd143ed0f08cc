import { unlink } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { encodeAck, guestListenPath, parseConnect } from '../hybrid/protocol.js';
import { readHandshakeLine } from '../hybrid/read-line.js';

/**
 * How the fake answers `CONNECT <port>\n`: `ok` (the muxer's real answer when a guest
 * listens), `silent` (never answers), or a raw reply such as `'NOPE\n'` (a bad ack).
 * With `ok` and no guest listener on the port, it closes the connection, as Firecracker does.
 */
export type FakeMuxerAck = 'ok' | 'silent' | { reply: string };

export interface FakeHybridMuxerOptions {
  /** The Unix socket the muxer listens on (Firecracker's `uds_path`). */
  udsPath: string;
  ack?: FakeMuxerAck;
  /** The first host-side port it reports in `OK <hostport>` (Firecracker starts at 2^30). */
  firstHostPort?: number;
}

/**
 * A pure-TypeScript stand-in for the hybrid vsock muxer of Firecracker / cloud-hypervisor,
 * for tests: "guest" listeners are callbacks that receive the guest end of each connection,
 * and `connectFromGuest()` plays a guest-initiated connection to `<udsPath>_<port>`.
 */
export class FakeHybridMuxer {
  ack: FakeMuxerAck;
  /** Every `CONNECT` line received, malformed ones included. */
  readonly requests: string[] = [];
  readonly udsPath: string;
  #server: Server;
  #guests = new Map<number, (socket: Socket) => void>();
  #sockets = new Set<Socket>();
  #nextHostPort: number;

  private constructor(server: Server, options: FakeHybridMuxerOptions) {
    this.#server = server;
    this.udsPath = options.udsPath;
    this.ack = options.ack ?? 'ok';
    this.#nextHostPort = options.firstHostPort ?? 1 << 30;
    server.on('connection', (socket) => this.#onConnection(socket));
  }

  static async start(options: FakeHybridMuxerOptions): Promise<FakeHybridMuxer> {
    await unlink(options.udsPath).catch(() => undefined);
    const server = createServer({ allowHalfOpen: true });
    const muxer = new FakeHybridMuxer(server, options);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.udsPath, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return muxer;
  }

  /** A "guest" listens on vsock `port`; each host connection to it is handed to `onConnection`. */
  listenGuest(port: number, onConnection: (socket: Socket) => void): void {
    this.#guests.set(port, onConnection);
  }

  unlistenGuest(port: number): void {
    this.#guests.delete(port);
  }

  /** The "guest" connects to host `port`: the muxer dials `<udsPath>_<port>`. */
  connectFromGuest(port: number): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const socket = connect(guestListenPath(this.udsPath, port));
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(socket);
      });
    });
  }

  #onConnection(socket: Socket): void {
    this.#sockets.add(socket);
    socket.once('close', () => this.#sockets.delete(socket));
    socket.on('error', () => undefined);
    readHandshakeLine(socket, 64, (result) => {
      if (result.state === 'too-long') {
        this.requests.push(result.buffered.toString('latin1'));
        socket.destroy();
        return;
      }
      this.requests.push(result.line);
      this.#answer(socket, parseConnect(result.line), result.rest);
    });
  }

  #answer(socket: Socket, port: number | undefined, rest: Buffer): void {
    const ack = this.ack;
    if (ack === 'silent') return;
    if (typeof ack === 'object') {
      socket.end(ack.reply);
      return;
    }
    const guest = port === undefined ? undefined : this.#guests.get(port);
    if (!guest) {
      socket.destroy();
      return;
    }
    socket.write(encodeAck(this.#nextHostPort++));
    if (rest.length > 0) socket.unshift(rest);
    guest(socket);
  }

  /** Stops listening and drops every connection. */
  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
