import type { Duplex } from 'node:stream';
import { DecodeError } from '../errors.js';
import { decodeMessage, encodeBody, kindOfType } from '../protocol/codec.js';
import { MessageType, MIN_MSIZE, NOTAG } from '../protocol/constants.js';
import { Errno, errnoOf, FsError } from '../protocol/errno.js';
import type {
  Message,
  MessageKind,
  MessageOf,
  TMessage,
  TMessageKind,
} from '../protocol/messages.js';
import { DATA_FRAME_HEAD, dataFrameHead, readHeader } from '../protocol/wire.js';
import { FramedStream } from '../transport/framed-stream.js';
import type { ConnectionBudget } from './budget.js';
import { type RequestContext, RequestScope, type SharedContext } from './context.js';
import { dispatch } from './dispatch.js';
import { FidTable, releaseFid } from './fids.js';
import type { FileSystem } from './filesystem.js';
import { version } from './handlers-fid.js';
import type { LockTable } from './locks.js';
import { releaseReadBuffer } from './read-buffers.js';
import type { Stats } from './stats.js';
import { describeMessage } from './trace.js';

export interface SessionOptions {
  fs: FileSystem;
  locks: LockTable;
  stats: Stats;
  readonly: boolean;
  maxMsize: number;
  maxFids: number;
  maxPending: number;
  maxXattrSize: number;
  connectionId: string;
  /** This connection's account in the server's descriptor budget (its socket already taken). */
  budget?: ConnectionBudget;
  /** Milliseconds a started frame may take to arrive (0: no limit). */
  frameTimeout: number;
  /** Milliseconds a connection holding no fid and no request may stay (0: no limit). */
  idleTimeout: number;
  trace?: (line: string) => void;
}

/** The reply kind of each request kind (Tgetattr -> Rgetattr), computed once. */
const REPLY_KIND = Object.fromEntries(
  Object.keys(MessageType)
    .filter((k) => k.startsWith('T'))
    .map((k) => [k, `R${k.slice(1)}`]),
) as Record<TMessageKind, MessageKind>;

/**
 * Frames from the transport are ours alone (socket chunks are not reused), so Twrite data can
 * stay a view into its frame: a 1 MiB write is not copied once more before it reaches the file.
 */
const OWNED_FRAME = { borrowData: true } as const;

/** Largest frame accepted before a version is agreed (a Tversion is 13 bytes + its string). */
const PRE_VERSION_MAX_FRAME = 8192;

/** Message fields that name a fid. */
const FID_FIELDS = ['fid', 'newfid', 'dfid', 'dirfid', 'olddirfid', 'newdirfid'];

/**
 * One request in flight. Aborted by Tflush, a Tversion reset or the connection closing; its
 * AbortController is made only when a handler asks for the signal: most requests never look
 * at it, and making one per request costs.
 */
class Pending {
  done: Promise<void> = Promise.resolve();
  private controller?: AbortController;
  private aborted = false;

  constructor(readonly msg: TMessage) {}

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort();
    }
    return this.controller.signal;
  }

  get isAborted(): boolean {
    return this.aborted;
  }

  abort(): void {
    this.aborted = true;
    this.controller?.abort();
  }
}

/**
 * One client connection: decodes requests, runs them concurrently, matches replies to tags,
 * implements Tflush, and cleans up fids and locks when the stream closes.
 */
export class Session {
  private readonly transport: FramedStream;
  private readonly fids: FidTable;
  private readonly pending = new Map<number, Pending>();
  private readonly shared: SharedContext;
  private msize: number;
  /** A Tversion was answered with a version we speak: other requests may run. */
  private agreed = false;
  private closed = false;
  readonly closedPromise: Promise<void>;
  private resolveClosed!: () => void;

  constructor(
    stream: Duplex,
    private readonly opts: SessionOptions,
  ) {
    this.msize = opts.maxMsize;
    this.fids = new FidTable(opts.maxFids, opts.budget);
    this.shared = {
      fs: opts.fs,
      fids: this.fids,
      locks: opts.locks,
      readonly: opts.readonly,
      connectionId: opts.connectionId,
      reset: (msize) => this.reset(msize),
    };
    this.closedPromise = new Promise((r) => {
      this.resolveClosed = r;
    });
    // Until a version is agreed only a Tversion is useful, and it is small: a peer cannot
    // make the server hold a 1 MiB frame before it even said which protocol it speaks.
    this.transport = new FramedStream(
      stream,
      Math.min(opts.maxMsize, PRE_VERSION_MAX_FRAME),
      { frame: (f) => this.onFrame(f), close: (err) => void this.onClose(err) },
      { frameTimeout: opts.frameTimeout },
    );
    this.watchIdle();
  }

  /** True while the connection holds no fid: closing it loses nothing of the client's. */
  get holdsNoFid(): boolean {
    return this.fids.size === 0;
  }

  private idleTimer: NodeJS.Timeout | undefined;

  /**
   * A connection that holds no fid for idleTimeout is closed, whatever it sends meanwhile: a
   * mount always holds its root fid, so only connections that never attached (or let go of
   * everything) are affected, like the half-open ones a peer can pile up to fill
   * maxConnections.
   */
  private watchIdle(): void {
    if (this.opts.idleTimeout <= 0 || this.closed || this.idleTimer || !this.holdsNoFid) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      if (!this.holdsNoFid) return;
      this.trace(`closing: no fid for ${this.opts.idleTimeout} ms`);
      this.opts.stats.idleClosed++;
      this.transport.close();
    }, this.opts.idleTimeout);
    this.idleTimer.unref();
  }

  private stopIdle(): void {
    if (!this.idleTimer) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }

  close(): void {
    this.transport.close();
  }

  private onFrame(frame: Buffer): void {
    const { type, tag } = readHeader(frame);
    const kind = kindOfType(type);
    if (!kind?.startsWith('T')) {
      // A type 9P2000.L does not define (a legacy 9P2000 Topen, garbage) or a reply sent to
      // the server: the frame is well delimited, so answer it like QEMU's v9fs_op_not_supp
      // and keep reading.
      this.opts.stats.protocolErrors++;
      this.trace(`<- unsupported message type ${type} tag ${tag}`);
      this.sendError(tag, Errno.EOPNOTSUPP, kind ?? `type ${type}`);
      return;
    }
    if (!this.agreed && kind !== 'Tversion') {
      // Nothing but Tversion until a version was agreed (at start, and after a Tversion we
      // answered "unknown"): no fid can exist in a session whose dialect is not 9P2000.L.
      this.opts.stats.protocolErrors++;
      this.trace(`<- ${kind} tag ${tag} before a version was agreed`);
      this.sendError(tag, Errno.EPROTO, kind);
      return;
    }
    let msg: Message;
    try {
      msg = decodeMessage(frame, OWNED_FRAME);
    } catch (err) {
      this.opts.stats.protocolErrors++;
      this.trace(`<- bad frame type ${type} tag ${tag}: ${(err as Error).message}`);
      // A well-framed request with a bad body gets Rlerror; the stream stays in step.
      if (err instanceof DecodeError) this.sendError(tag, Errno.EPROTO, kind);
      else this.transport.close(err as Error);
      return;
    }
    if (this.opts.trace) this.trace(`<- ${describeMessage(msg)}`);
    this.start(msg as TMessage);
  }

  private start(msg: TMessage): void {
    if (msg.tag === NOTAG && msg.type !== 'Tversion') {
      // NOTAG belongs to Tversion: requests sharing it could not be told apart, and would
      // escape the in-flight count that bounds a connection.
      this.sendError(msg.tag, Errno.EINVAL, msg.type);
      return;
    }
    if (this.pending.has(msg.tag) && msg.tag !== NOTAG) {
      // Reusing a tag that is still in flight is a client bug; answer the new one with an
      // error and keep the original.
      this.sendError(msg.tag, Errno.EINVAL, msg.type);
      return;
    }
    const entry = new Pending(msg);
    // Tflush counts as in flight too, so a flood of them is bounded by maxPending like
    // any other request (each one waits for the request it cancels).
    this.pending.set(msg.tag, entry);
    if (this.pending.size >= this.opts.maxPending) this.transport.pause();
    if (msg.type === 'Tflush') {
      entry.done = this.flush(msg, entry);
      return;
    }
    if (msg.type === 'Tversion') this.agreed = false;
    // Tclunk/Tremove wait for earlier requests on the same fid, so a node is never released
    // while another request is still using it (Linux never does this; a hostile client might).
    const before =
      msg.type === 'Tclunk' || msg.type === 'Tremove' ? this.usersOf(msg.fid, entry) : [];
    entry.done = before.length
      ? Promise.allSettled(before).then(() => this.run(msg, entry))
      : this.run(msg, entry);
  }

  /** The request is answered (or dropped): forget its tag, read again if we had stopped. */
  private settle(entry: Pending): void {
    if (this.pending.get(entry.msg.tag) === entry) this.pending.delete(entry.msg.tag);
    if (this.pending.size < this.opts.maxPending) this.transport.resume();
    // Fids change only inside requests, so this is where the idle clock starts and stops.
    if (this.fids.size > 0) this.stopIdle();
    else this.watchIdle();
  }

  private usersOf(fid: number, self: Pending): Promise<void>[] {
    const out: Promise<void>[] = [];
    for (const p of this.pending.values()) {
      if (p === self) continue;
      const m = p.msg as unknown as Record<string, unknown>;
      if (FID_FIELDS.some((k) => m[k] === fid)) out.push(p.done);
    }
    return out;
  }

  private async run(msg: TMessage, entry: Pending): Promise<void> {
    const started = performance.now();
    let body: object;
    let kind: MessageKind;
    let failed = false;
    try {
      try {
        const ctx = this.context(entry);
        if (msg.type === 'Tversion') {
          const reply = await version(ctx, msg, this.opts.maxMsize);
          // Only a version we speak opens the session; "unknown" leaves it closed.
          this.agreed = reply.version !== 'unknown' && !entry.isAborted;
          this.transport.setMaxSize(
            this.agreed ? this.msize : Math.min(this.msize, PRE_VERSION_MAX_FRAME),
          );
          body = reply;
        } else body = (await dispatch(ctx, msg)) as object;
        kind = REPLY_KIND[msg.type];
        if (body instanceof FsError) {
          failed = true;
          body = { ecode: body.errno };
          kind = 'Rlerror';
        }
      } catch (err) {
        failed = true;
        body = { ecode: errnoOf(err) };
        kind = 'Rlerror';
      }
      this.opts.stats.record(msg.type, performance.now() - started, failed);
      if (entry.isAborted && failed) {
        // Cancelled by Tflush: the client forgets this tag once Rflush arrives, so no reply.
        this.trace(`-- ${msg.type} tag ${msg.tag} flushed, reply dropped`);
        return;
      }
      this.send(kind, msg.tag, body, msg.type);
    } finally {
      this.settle(entry);
    }
  }

  private async flush(msg: MessageOf<'Tflush'>, entry: Pending): Promise<void> {
    try {
      // A Tflush never waits for another Tflush: two flushing each other would wait forever.
      const found = this.pending.get(msg.oldtag);
      const old = found?.msg.type === 'Tflush' ? undefined : found;
      if (old) {
        old.abort();
        this.opts.stats.flushed++;
        // The old request either finished (its reply goes out first, which the protocol
        // allows) or was cancelled (no reply); only then does Rflush go out.
        await old.done;
      }
      this.opts.stats.record('Tflush', 0, false);
      this.send('Rflush', msg.tag, {}, 'Tflush');
    } finally {
      this.settle(entry);
    }
  }

  private context(entry: Pending): RequestContext {
    return new RequestScope(
      this.shared,
      this.msize,
      Math.min(this.opts.maxXattrSize, this.msize * 64),
      entry,
    );
  }

  private async reset(msize: number): Promise<void> {
    if (msize < MIN_MSIZE) throw Object.assign(new Error('msize too small'), { code: 'EINVAL' });
    this.msize = msize;
    for (const [tag, p] of this.pending) {
      if (tag === NOTAG) continue;
      p.abort();
    }
    await Promise.all(this.fids.drain().map(releaseFid));
    this.opts.locks.releaseOwners(`${this.opts.connectionId}/`);
  }

  private send(kind: MessageKind, tag: number, body: object, request: string): void {
    if (this.opts.trace) {
      const reply = { ...body, type: kind, tag } as Message;
      this.trace(`-> ${describeMessage(reply)}${kind === 'Rlerror' ? ` (${request})` : ''}`);
    }
    const data = (body as { data?: Buffer }).data;
    if (
      (kind === 'Rread' || kind === 'Rreaddir') &&
      data &&
      data.length + DATA_FRAME_HEAD <= this.msize
    ) {
      // Single copy per read: the header goes out in front of the backend's buffer as is.
      const head = dataFrameHead(MessageType[kind], tag, data.length);
      this.transport.sendv(head, data, () => releaseReadBuffer(data));
      return;
    }
    let frame: Buffer;
    try {
      frame = encodeBody(kind, tag, body);
    } catch (err) {
      // A backend returned something unencodable (say a name over 64 KiB): report EIO.
      this.trace(`!! cannot encode ${kind}: ${(err as Error).message}`);
      frame = encodeBody('Rlerror', tag, { ecode: Errno.EIO });
    }
    if (frame.length > this.msize) {
      frame = encodeBody('Rlerror', tag, { ecode: Errno.ERANGE });
    }
    this.transport.send(frame, this.pending.size > 1);
  }

  private sendError(tag: number, ecode: number, request: string): void {
    this.send('Rlerror', tag, { ecode }, request);
  }

  private trace(line: string): void {
    this.opts.trace?.(`[${this.opts.connectionId}] ${line}`);
  }

  private async onClose(err?: Error): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopIdle();
    if (err) this.trace(`connection closed: ${err.message}`);
    for (const p of this.pending.values()) {
      p.abort();
    }
    await Promise.allSettled([...this.pending.values()].map((p) => p.done));
    await Promise.all(this.fids.drain().map(releaseFid));
    this.opts.locks.releaseOwners(`${this.opts.connectionId}/`);
    this.opts.budget?.close();
    this.resolveClosed();
  }
}
