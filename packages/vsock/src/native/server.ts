import { EventEmitter } from 'node:events';
import { VsockError } from '../errors.js';
import {
  loadAddon,
  type NativeBinding,
  type NativePoller,
  POLL_READABLE,
  VMADDR_ANY,
} from './addon.js';
import { VsockSocket } from './socket.js';
import { DEFAULT_BUFFER_SIZE, type VsockSocketOptions } from './socket-options.js';
import { EAGAIN, ENODEV, ENOENT, socketError, systemError } from './system-error.js';
import { validateCid, validatePort } from './validate.js';

export interface VsockServerOptions extends VsockSocketOptions {
  /** Accept only peers with these CIDs; others are closed before any byte is read ('drop'). */
  allowCids?: readonly number[];
}

export interface VsockListenOptions {
  /** The port; 0xFFFFFFFF (VMADDR_PORT_ANY) lets the kernel pick one. */
  port: number;
  /** The local CID to bind; default VMADDR_CID_ANY. */
  cid?: number;
  /** listen(2) backlog; default 511 as in node:net. */
  backlog?: number;
}

export interface VsockDrop {
  remoteCid: number;
  remotePort: number;
}

/** Connections taken per wakeup before yielding to the event loop. */
const ACCEPTS_PER_WAKEUP = 64;
const ECONNABORTED = -103;

/**
 * An AF_VSOCK listening socket with the events of a `net.Server`: 'listening', 'connection'
 * (a `VsockSocket` with `remoteCid`/`remotePort`), 'drop' (a peer refused by `allowCids`),
 * 'error' and 'close' (once closed and every connection it accepted has closed).
 */
export class VsockServer extends EventEmitter {
  #addon: NativeBinding;
  #options: VsockServerOptions;
  #fd = -1;
  #poller: NativePoller | undefined;
  #address: { cid: number; port: number } | undefined;
  #connections = new Set<VsockSocket>();
  #closing = false;
  #unref = false;

  constructor(options: VsockServerOptions = {}, onConnection?: (socket: VsockSocket) => void) {
    super();
    this.#addon = loadAddon();
    for (const [i, cid] of (options.allowCids ?? []).entries()) validateCid(cid, `allowCids[${i}]`);
    this.#options = options;
    if (onConnection) this.on('connection', onConnection);
  }

  get listening(): boolean {
    return this.#address !== undefined && !this.#closing;
  }

  /** The number of open connections accepted by this server. */
  get connections(): number {
    return this.#connections.size;
  }

  listen(options: VsockListenOptions | number, onListening?: () => void): this {
    const opts = typeof options === 'number' ? { port: options } : options;
    const port = validatePort(opts.port, 'port');
    const cid = validateCid(opts.cid ?? VMADDR_ANY, 'cid');
    if (this.#poller)
      throw new VsockError('ERR_SERVER_ALREADY_LISTEN', 'the server is already listening');
    if (onListening) this.once('listening', onListening);
    const fd = this.#addon.socket();
    if (fd < 0) return this.#fail(socketError(fd, cid, port));
    // Accepted sockets inherit the listener's buffer size.
    this.#addon.setBufferSize(fd, this.#options.bufferSize ?? DEFAULT_BUFFER_SIZE);
    let rc = this.#addon.bind(fd, cid, port);
    if (rc === 0) rc = this.#addon.listen(fd, opts.backlog ?? 511);
    if (rc < 0) {
      this.#addon.close(fd);
      return this.#fail(systemError(rc, 'listen', cid, port));
    }
    this.#fd = fd;
    const name = this.#addon.name(fd, 0);
    this.#address = Array.isArray(name) ? { cid: name[0], port: name[1] } : { cid, port };
    this.#poller = new this.#addon.Poller(fd, (status) => this.#onReadable(status));
    this.#poller.start(POLL_READABLE);
    if (this.#unref) this.#poller.ref(false);
    process.nextTick(() => this.emit('listening'));
    return this;
  }

  #fail(error: Error): this {
    process.nextTick(() => this.emit('error', error));
    return this;
  }

  #onReadable(status: number): void {
    if (this.#closing) return;
    if (status < 0) {
      this.emit('error', systemError(status, 'accept', this.#address?.cid, this.#address?.port));
      return;
    }
    for (let i = 0; i < ACCEPTS_PER_WAKEUP && !this.#closing; i++) {
      const accepted = this.#addon.accept(this.#fd);
      if (accepted === EAGAIN) return;
      if (accepted === ECONNABORTED) continue;
      if (typeof accepted === 'number') {
        this.emit(
          'error',
          systemError(accepted, 'accept', this.#address?.cid, this.#address?.port),
        );
        return;
      }
      const [fd, remoteCid, remotePort] = accepted;
      if (this.#options.allowCids && !this.#options.allowCids.includes(remoteCid)) {
        this.#addon.close(fd);
        this.emit('drop', { remoteCid, remotePort } satisfies VsockDrop);
        continue;
      }
      const socket = VsockSocket.fromAccepted(fd, remoteCid, remotePort, this.#options);
      this.#connections.add(socket);
      socket.once('close', () => {
        this.#connections.delete(socket);
        this.#maybeClosed();
      });
      this.emit('connection', socket);
    }
  }

  /** `{ cid, port }` it listens on (the port the kernel picked for VMADDR_PORT_ANY), or null. */
  address(): { cid: number; port: number } | null {
    return this.#closing ? null : (this.#address ?? null);
  }

  /**
   * Stops accepting; connections already accepted stay open (as with net.Server), and 'close'
   * is emitted once they have all closed.
   */
  close(onClose?: (error?: Error) => void): this {
    if (!this.#poller || this.#closing) {
      if (onClose) {
        process.nextTick(() =>
          onClose(new VsockError('ERR_SERVER_NOT_RUNNING', 'the server is not running')),
        );
      }
      return this;
    }
    if (onClose) this.once('close', () => onClose());
    this.#closing = true;
    this.#poller.close();
    this.#poller = undefined;
    this.#maybeClosed();
    return this;
  }

  /** Destroys every connection this server accepted. */
  closeAllConnections(): void {
    for (const socket of this.#connections) socket.destroy();
  }

  #maybeClosed(): void {
    if (this.#closing && this.#connections.size === 0 && this.#address) {
      this.#address = undefined;
      process.nextTick(() => this.emit('close'));
    }
  }

  ref(): this {
    this.#unref = false;
    this.#poller?.ref(true);
    return this;
  }

  unref(): this {
    this.#unref = true;
    this.#poller?.ref(false);
    return this;
  }
}

export function createServer(
  options?: VsockServerOptions | ((socket: VsockSocket) => void),
  onConnection?: (socket: VsockSocket) => void,
): VsockServer {
  return typeof options === 'function'
    ? new VsockServer({}, options)
    : new VsockServer(options, onConnection);
}

/** Creates a server and resolves once it listens (rejects with the bind/listen error). */
export function listen(
  options: VsockListenOptions & VsockServerOptions,
  onConnection?: (socket: VsockSocket) => void,
): Promise<VsockServer> {
  return new Promise((resolve, reject) => {
    const server = new VsockServer(options, onConnection);
    server.once('error', reject);
    server.listen(options, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

/** This machine's CID (IOCTL_VM_SOCKETS_GET_LOCAL_CID on /dev/vsock); ENODEV without vsock. */
export function localCid(): number {
  const cid = loadAddon().localCid();
  if (cid === ENOENT) {
    throw systemError(
      ENODEV,
      'open',
      undefined,
      undefined,
      '/dev/vsock is missing: no vsock in this kernel',
    );
  }
  if (cid < 0)
    throw systemError(
      cid,
      'ioctl',
      undefined,
      undefined,
      '/dev/vsock: IOCTL_VM_SOCKETS_GET_LOCAL_CID',
    );
  return cid;
}
