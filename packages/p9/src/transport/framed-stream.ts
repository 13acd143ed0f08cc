import type { Duplex } from 'node:stream';
import { FrameError } from '../errors.js';
import { FrameDecoder } from '../protocol/framer.js';

/** Unsent reply bytes above which the server stops reading the peer's requests. */
const MAX_UNSENT = 8 * 1024 * 1024;

export interface FramedStreamOptions {
  /**
   * Milliseconds a started frame may take to arrive completely (counted while the stream is
   * being read, from its first byte or the last completed frame); past it the stream is
   * closed with a FrameError. 0 or unset: no limit.
   */
  frameTimeout?: number;
}

export interface FramedStreamEvents {
  /** One complete frame (size[4] type[1] tag[2] body). */
  frame(frame: Buffer): void;
  /** The stream ended or failed; `error` is set for a framing error or a stream error. */
  close(error?: Error): void;
}

/**
 * 9P framing over any Duplex (TCP, Unix socket, vsock, virtio-serial, stdio). Knows no message
 * types: it cuts frames by size[4], refuses frames above `maxSize`, writes frames, and lets the
 * owner pause reading (when too many requests are pending) without losing bytes.
 */
export class FramedStream {
  private readonly decoder: FrameDecoder;
  private queued: Buffer[] = [];
  private paused = false;
  private closed = false;

  private readonly frameTimeout: number;
  private frameTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly stream: Duplex,
    maxSize: number,
    private readonly events: FramedStreamEvents,
    options: FramedStreamOptions = {},
  ) {
    this.decoder = new FrameDecoder(maxSize);
    this.frameTimeout = options.frameTimeout ?? 0;
    stream.on('data', (chunk: Buffer) => this.onData(chunk));
    stream.on('end', () => this.finish());
    stream.on('close', () => this.finish());
    stream.on('error', (err) => this.finish(err));
  }

  /** Largest frame accepted from now on (after Tversion negotiates msize). */
  setMaxSize(size: number): void {
    this.decoder.maxSize = size;
  }

  /**
   * Writes one frame. `more` says other replies are on their way (requests still in flight):
   * then frames finished in the same tick leave together; a lone reply goes out at once.
   */
  send(frame: Buffer, more = false): void {
    if (this.closed || this.stream.destroyed) return;
    if (more) this.batch();
    this.stream.write(frame);
    this.checkDrain();
  }

  private checkDrain(): void {
    // A few replies of slack (the socket's own high-water mark is 16 KiB, below one Rread).
    if (this.writeBlocked || this.stream.writableLength < MAX_UNSENT) return;
    this.writeBlocked = true;
    this.applyPause();
    this.stream.once('drain', () => {
      this.writeBlocked = false;
      this.applyPause();
    });
  }

  private corked = false;

  /** Replies finished in the same tick leave in one writev instead of one syscall each. */
  private batch(): void {
    if (this.corked) return;
    this.corked = true;
    this.stream.cork();
    process.nextTick(() => {
      this.corked = false;
      this.stream.uncork();
    });
  }

  /**
   * Writes one frame given as header and body without joining them (no extra copy).
   * `written` runs once the stream is done with `body` (sent, or dropped with the stream).
   */
  sendv(header: Buffer, body: Buffer, written?: () => void): void {
    if (this.closed || this.stream.destroyed) {
      written?.();
      return;
    }
    this.batch();
    this.stream.write(header);
    this.stream.write(body, written);
    this.checkDrain();
  }

  /** Stop delivering frames (they queue) and stop reading the stream. */
  pause(): void {
    this.ownerPaused = true;
    this.applyPause();
  }

  resume(): void {
    this.ownerPaused = false;
    this.applyPause();
  }

  private ownerPaused = false;
  private writeBlocked = false;

  /**
   * Reading stops while the owner asks (too many pending requests) or while the peer does not
   * read its replies (the socket's write buffer is full): either way memory stays bounded.
   */
  private applyPause(): void {
    const want = this.ownerPaused || this.writeBlocked;
    if (want) {
      if (!this.paused) {
        this.paused = true;
        this.stream.pause();
        // Not reading is our doing: a partial frame's clock stops meanwhile.
        this.stopFrameTimer();
      }
      return;
    }
    if (!this.paused) return;
    this.paused = false;
    // A frame handler may pause and resume again before it returns (a request that is
    // answered at once): the loop already running goes on delivering, instead of a nested
    // loop per frame that a long queue would turn into a stack overflow.
    if (this.delivering) return;
    this.delivering = true;
    try {
      while (!this.paused && !this.closed && this.queued.length > 0) {
        this.events.frame(this.queued.shift() as Buffer);
      }
    } finally {
      this.delivering = false;
    }
    if (!this.paused && !this.closed) {
      this.stream.resume();
      this.watchPartialFrame(false);
    }
  }

  private delivering = false;

  /**
   * Starts the partial-frame clock when bytes of an incomplete frame are held; `progressed`
   * (a frame completed) restarts it, so a steady stream of frames never trips it.
   */
  private watchPartialFrame(progressed: boolean): void {
    if (this.frameTimeout <= 0) return;
    if (progressed || this.decoder.pending === 0) this.stopFrameTimer();
    if (this.decoder.pending === 0 || this.frameTimer || this.paused || this.closed) return;
    this.frameTimer = setTimeout(() => {
      this.frameTimer = undefined;
      this.close(
        new FrameError(
          `a frame was not completed within ${this.frameTimeout} ms (${this.decoder.pending} bytes held)`,
          -1,
        ),
      );
    }, this.frameTimeout);
    this.frameTimer.unref();
  }

  private stopFrameTimer(): void {
    if (!this.frameTimer) return;
    clearTimeout(this.frameTimer);
    this.frameTimer = undefined;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  close(error?: Error): void {
    this.finish(error);
    this.stream.destroy();
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    let frames: Buffer[];
    try {
      frames = this.decoder.push(chunk);
    } catch (err) {
      this.close(err instanceof FrameError ? err : new FrameError(String(err), -1));
      return;
    }
    for (const f of frames) {
      if (this.paused || this.queued.length > 0) this.queued.push(f);
      else this.events.frame(f);
      if (this.closed) return;
    }
    if (this.frameTimeout > 0) this.watchPartialFrame(frames.length > 0);
  }

  private finish(error?: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.stopFrameTimer();
    this.queued = [];
    this.events.close(error);
  }
}
