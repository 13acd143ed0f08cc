import { Duplex } from 'node:stream';
import { VsockAbortError } from '../errors.js';
import {
  loadAddon,
  type NativeBinding,
  type NativePoller,
  POLL_READABLE,
  POLL_WRITABLE,
  SHUT_WR,
} from './addon.js';
import { consume, readSpace, takeRead } from './buffers.js';
import { type ReleaseFdOptions, releaseRefusal } from './release.js';
import {
  DEFAULT_BUFFER_SIZE,
  type VsockConnectOptions,
  type VsockSocketOptions,
} from './socket-options.js';
import {
  connectError,
  EAGAIN,
  EINPROGRESS,
  ENOTCONN,
  ETIMEDOUT,
  socketError,
  systemError,
} from './system-error.js';
import { validateCid, validatePort, validateTimeout } from './validate.js';

/** Reads per poll callback, so one busy socket cannot starve the others. */
const READS_PER_WAKEUP = 16;
/** The most buffers handed to one writev(2) (the addon's iovec array). */
const MAX_IOV = 64;

interface PendingWrite {
  buffers: Buffer[];
  callback: (error?: Error | null) => void;
}

/**
 * An AF_VSOCK stream socket: a `stream.Duplex` with the shape of a `net.Socket` where it
 * applies. libuv tells us (through the addon's poll handle) when the non-blocking fd is
 * readable or writable; reads stop while the consumer applies backpressure, writes wait for
 * writability, `end()` is `shutdown(SHUT_WR)`.
 */
export class VsockSocket extends Duplex {
  remoteCid: number | undefined;
  remotePort: number | undefined;
  localCid: number | undefined;
  localPort: number | undefined;
  connecting = false;
  bytesRead = 0;
  bytesWritten = 0;

  #addon: NativeBinding;
  #fd = -1;
  #poller: NativePoller | undefined;
  #events = 0;
  #wantRead = false;
  #readEnded = false;
  #pending: PendingWrite | undefined;
  #onConnected: (() => void)[] = [];
  #timer: NodeJS.Timeout | undefined;
  #deadline: { at: number; timedOut: () => void } | undefined;
  #abort: (() => void) | undefined;
  #signal: AbortSignal | undefined;
  #pauseOnConnect = false;

  constructor(options: VsockSocketOptions = {}) {
    super({
      allowHalfOpen: options.allowHalfOpen ?? false,
      highWaterMark: options.highWaterMark ?? 64 * 1024,
    });
    this.#addon = loadAddon();
  }

  /** Wraps an fd that is already connected (accepted by a server). Internal. */
  static fromAccepted(
    fd: number,
    remoteCid: number,
    remotePort: number,
    options: VsockSocketOptions,
  ) {
    const socket = new VsockSocket(options);
    socket.remoteCid = remoteCid;
    socket.remotePort = remotePort;
    socket.#attach(fd);
    socket.#readNames();
    // Start reading at once, as net.Socket does, so an end from the peer is noticed.
    socket.read(0);
    return socket;
  }

  /** Starts a non-blocking connect; the outcome is a 'connect' or an 'error' event. */
  connect(options: VsockConnectOptions, onConnect?: () => void): this {
    const cid = validateCid(options.cid, 'cid');
    const port = validatePort(options.port, 'port');
    if (options.timeout !== undefined) validateTimeout(options.timeout);
    if (onConnect) this.once('connect', onConnect);
    this.remoteCid = cid;
    this.remotePort = port;
    this.connecting = true;
    this.#pauseOnConnect = options.pauseOnConnect ?? false;
    const fd = this.#addon.socket();
    if (fd < 0) return this.#fail(socketError(fd, cid, port));
    // Best effort: a kernel that refuses the size keeps its default.
    this.#addon.setBufferSize(fd, options.bufferSize ?? DEFAULT_BUFFER_SIZE);
    this.#attach(fd);
    if (options.signal) {
      const signal = options.signal;
      if (signal.aborted)
        return this.#fail(new VsockAbortError(`connect vsock:${cid}:${port}`, signal.reason));
      this.#signal = signal;
      this.#abort = () =>
        this.destroy(new VsockAbortError(`connect vsock:${cid}:${port}`, signal.reason));
      signal.addEventListener('abort', this.#abort, { once: true });
    }
    if (options.timeout !== undefined) {
      const ms = options.timeout;
      const timedOut = () =>
        this.destroy(systemError(ETIMEDOUT, 'connect', cid, port, `not connected within ${ms} ms`));
      this.#timer = setTimeout(timedOut, ms);
      this.#deadline = { at: performance.now() + ms, timedOut };
    }
    const rc = this.#addon.connect(fd, cid, port);
    if (rc === 0) process.nextTick(() => this.#connected());
    else if (rc === EINPROGRESS) this.#update();
    else return this.#fail(connectError(rc, cid, port));
    return this;
  }

  #fail(error: Error): this {
    process.nextTick(() => this.destroy(error));
    return this;
  }

  #attach(fd: number): void {
    this.#fd = fd;
    this.#poller = new this.#addon.Poller(fd, (status, events) => this.#onPoll(status, events));
  }

  #readNames(): void {
    const local = this.#addon.name(this.#fd, 0);
    if (Array.isArray(local)) [this.localCid, this.localPort] = local;
    const peer = this.#addon.name(this.#fd, 1);
    if (Array.isArray(peer)) [this.remoteCid, this.remotePort] = peer;
  }

  #onPoll(status: number, events: number): void {
    if (this.destroyed) return;
    if (status < 0) {
      this.#onPollError(status);
      return;
    }
    if (this.connecting) {
      if (events & POLL_WRITABLE) this.#finishConnect();
      return;
    }
    if (events & POLL_WRITABLE) this.#flush();
    if (events & POLL_READABLE && !this.destroyed) this.#readSome();
  }

  /**
   * libuv reports POLLERR as UV_EBADF and stops the handle; the socket's real error (a reset
   * during connect, say) is in SO_ERROR.
   */
  #onPollError(status: number): void {
    this.#events = 0;
    const pending = this.#addon.soError(this.#fd);
    const errno = pending < 0 ? pending : status;
    this.destroy(
      this.connecting
        ? connectError(errno, this.remoteCid, this.remotePort)
        : systemError(errno, 'read', this.remoteCid, this.remotePort),
    );
  }

  #finishConnect(): void {
    const rc = this.#addon.soError(this.#fd);
    if (rc !== 0) {
      this.destroy(connectError(rc, this.remoteCid, this.remotePort));
      return;
    }
    this.#connected();
  }

  #connected(): void {
    if (this.destroyed) return;
    // The timer and the completion can be due in the same loop turn, in either order: a
    // connection first seen after the deadline is a timeout, whatever libuv ran first.
    if (this.#deadline && performance.now() >= this.#deadline.at) {
      this.#deadline.timedOut();
      return;
    }
    this.connecting = false;
    this.#clearConnectGuards();
    this.#readNames();
    this.#update();
    for (const resume of this.#onConnected.splice(0)) resume();
    this.emit('connect');
    this.emit('ready');
    if (!this.#pauseOnConnect) this.read(0);
  }

  #clearConnectGuards(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#deadline = undefined;
    if (this.#abort) this.#signal?.removeEventListener('abort', this.#abort);
    this.#abort = undefined;
    this.#signal = undefined;
  }

  /** Polls for exactly what is wanted now: writability while connecting or writing, readability while reading. */
  #update(): void {
    if (!this.#poller || this.destroyed) return;
    let events = 0;
    if (this.connecting) events = POLL_WRITABLE;
    else {
      if (this.#wantRead && !this.#readEnded) events |= POLL_READABLE;
      if (this.#pending) events |= POLL_WRITABLE;
    }
    if (events === this.#events) return;
    this.#events = events;
    const rc = this.#poller.start(events);
    if (rc < 0) this.destroy(systemError(rc, 'poll', this.remoteCid, this.remotePort));
  }

  #readSome(): void {
    for (let i = 0; i < READS_PER_WAKEUP && this.#wantRead && !this.destroyed; i++) {
      const space = readSpace();
      const n = this.#addon.read(this.#fd, space);
      if (n === EAGAIN) break;
      if (n < 0) {
        this.destroy(systemError(n, 'read', this.remoteCid, this.remotePort));
        return;
      }
      if (n === 0) {
        this.#readEnded = true;
        this.#wantRead = false;
        this.push(null);
        break;
      }
      this.bytesRead += n;
      if (!this.push(takeRead(space, n))) this.#wantRead = false;
    }
    this.#update();
  }

  override _read(): void {
    this.#wantRead = true;
    if (!this.connecting) this.#update();
  }

  override _write(
    chunk: Buffer,
    _encoding: BufferEncoding,
    callback: (error?: Error | null) => void,
  ): void {
    this.#startWrite({ buffers: [chunk], callback });
  }

  override _writev(
    chunks: { chunk: Buffer; encoding: BufferEncoding }[],
    callback: (error?: Error | null) => void,
  ): void {
    this.#startWrite({ buffers: chunks.map((c) => c.chunk), callback });
  }

  #startWrite(write: PendingWrite): void {
    if (this.connecting) {
      this.#onConnected.push(() => this.#startWrite(write));
      return;
    }
    this.#pending = write;
    this.#flush();
  }

  /** Writes as much of the pending write as the socket takes; the rest waits for writability. */
  #flush(): void {
    const write = this.#pending;
    if (!write) return;
    while (write.buffers.length > 0) {
      const n = this.#addon.writev(this.#fd, write.buffers.slice(0, MAX_IOV));
      if (n === EAGAIN) break;
      if (n < 0) {
        this.#pending = undefined;
        this.#update();
        write.callback(systemError(n, 'write', this.remoteCid, this.remotePort));
        return;
      }
      this.bytesWritten += n;
      consume(write.buffers, n);
    }
    if (write.buffers.length === 0) {
      this.#pending = undefined;
      this.#update();
      write.callback();
    } else {
      this.#update();
    }
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (this.connecting) {
      this.#onConnected.push(() => this._final(callback));
      return;
    }
    const rc = this.#addon.shutdown(this.#fd, SHUT_WR);
    // The peer may be gone already; like net.Socket, that is not an error of end().
    callback(
      rc < 0 && rc !== ENOTCONN
        ? systemError(rc, 'shutdown', this.remoteCid, this.remotePort)
        : null,
    );
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.#clearConnectGuards();
    this.connecting = false;
    this.#poller?.close();
    this.#poller = undefined;
    const pending = this.#pending;
    this.#pending = undefined;
    pending?.callback(error ?? null);
    callback(error);
  }

  /**
   * Hands the connected socket's file descriptor to the caller and destroys this stream: for
   * a child process (`spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe', fd] })`, e.g.
   * `mount -t 9p -o trans=fd,rfdno=3,wfdno=3`). The fd is a close-on-exec duplicate, blocking
   * unless `blocking: false`; the connection stays open until every copy (yours, the child's)
   * is closed: close yours with `fs.closeSync(fd)`. Throws `VsockStateError` instead when a
   * byte could be lost or there is no connection.
   */
  releaseFd(options: ReleaseFdOptions = {}): number {
    const refusal = releaseRefusal({
      destroyed: this.destroyed,
      connected: !this.connecting && this.#poller !== undefined,
      readableLength: this.readableLength,
      // Counts the write in progress (#pending) too: its callback has not run yet.
      writableLength: this.writableLength,
      where:
        this.remoteCid === undefined
          ? 'a socket with no address yet'
          : `vsock:${this.remoteCid}:${this.remotePort}`,
    });
    if (refusal) throw refusal;
    // Stop reading first. Reads only happen in poll callbacks, which cannot run before
    // destroy() below closes the poller, so nothing is read between this check and the dup.
    this.#wantRead = false;
    const fd = this.#addon.release(this.#fd, options.blocking === false ? 0 : 1);
    if (fd < 0) throw systemError(fd, 'dup', this.remoteCid, this.remotePort);
    // The poller closes the original fd; the duplicate keeps the connection open.
    this.destroy();
    return fd;
  }

  /** `{ cid, port }` of this end, as `net.Socket.address()` gives `{ address, port }`. */
  address(): { cid: number; port: number } | Record<string, never> {
    return this.localCid === undefined || this.localPort === undefined
      ? {}
      : { cid: this.localCid, port: this.localPort };
  }

  /** Keeps the process alive while this socket is open (the default). */
  ref(): this {
    this.#poller?.ref(true);
    this.#timer?.ref();
    return this;
  }

  unref(): this {
    this.#poller?.ref(false);
    this.#timer?.unref();
    return this;
  }

  /** vsock has no Nagle algorithm: a no-op kept for net.Socket compatibility. */
  setNoDelay(_noDelay?: boolean): this {
    return this;
  }

  /** vsock has no keep-alive probes: a no-op kept for net.Socket compatibility. */
  setKeepAlive(_enable?: boolean, _initialDelay?: number): this {
    return this;
  }
}
