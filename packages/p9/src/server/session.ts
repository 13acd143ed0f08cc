import type { Duplex } from 'node:stream';
import { DecodeError } from '../errors.js';
import { decodeMessage, encodeMessage, kindOfType, readHeader } from '../protocol/codec.js';
import { MIN_MSIZE, NOTAG } from '../protocol/constants.js';
import { Errno, errnoOf } from '../protocol/errno.js';
import type { Message, MessageOf, TMessage } from '../protocol/messages.js';
import { FramedStream } from '../transport/framed-stream.js';
import type { RequestContext } from './context.js';
import { dispatch } from './dispatch.js';
import { FidTable, releaseFid } from './fids.js';
import type { FileSystem } from './filesystem.js';
import { version } from './handlers-fid.js';
import type { LockTable } from './locks.js';
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
  trace?: (line: string) => void;
}

/** Message fields that name a fid. */
const FID_FIELDS = ['fid', 'newfid', 'dfid', 'dirfid', 'olddirfid', 'newdirfid'];

interface Pending {
  msg?: TMessage;
  controller: AbortController;
  done: Promise<void>;
  flushed: boolean;
}

/**
 * One client connection: decodes requests, runs them concurrently, matches replies to tags,
 * implements Tflush, and cleans up fids and locks when the stream closes.
 */
export class Session {
  private readonly transport: FramedStream;
  private readonly fids: FidTable;
  private readonly pending = new Map<number, Pending>();
  private msize: number;
  private closed = false;
  readonly closedPromise: Promise<void>;
  private resolveClosed!: () => void;

  constructor(
    stream: Duplex,
    private readonly opts: SessionOptions,
  ) {
    this.msize = opts.maxMsize;
    this.fids = new FidTable(opts.maxFids);
    this.closedPromise = new Promise((r) => {
      this.resolveClosed = r;
    });
    this.transport = new FramedStream(stream, opts.maxMsize, {
      frame: (f) => this.onFrame(f),
      close: (err) => void this.onClose(err),
    });
  }

  close(): void {
    this.transport.close();
  }

  private onFrame(frame: Buffer): void {
    const { type, tag } = readHeader(frame);
    let msg: Message;
    try {
      msg = decodeMessage(frame);
    } catch (err) {
      this.opts.stats.protocolErrors++;
      this.trace(`<- bad frame type ${type} tag ${tag}: ${(err as Error).message}`);
      // A well-framed request with a bad body gets Rlerror; replies or unknown types sent to
      // the server mean the peer is not speaking 9P2000.L: drop the connection.
      const kind = kindOfType(type);
      if (err instanceof DecodeError && kind?.startsWith('T'))
        this.sendError(tag, Errno.EPROTO, kind);
      else this.transport.close(err as Error);
      return;
    }
    if (!msg.type.startsWith('T')) {
      this.opts.stats.protocolErrors++;
      this.transport.close(new DecodeError(`server received a reply (${msg.type})`, 4, type));
      return;
    }
    if (this.opts.trace) this.trace(`<- ${describeMessage(msg)}`);
    this.start(msg as TMessage);
  }

  private start(msg: TMessage): void {
    if (msg.type === 'Tflush') {
      void this.flush(msg);
      return;
    }
    if (this.pending.has(msg.tag) && msg.tag !== NOTAG) {
      // Reusing a tag that is still in flight is a client bug; answer the new one with an
      // error and keep the original.
      this.sendError(msg.tag, Errno.EINVAL, msg.type);
      return;
    }
    const controller = new AbortController();
    const entry: Pending = { msg, controller, done: Promise.resolve(), flushed: false };
    this.pending.set(msg.tag, entry);
    if (this.pending.size >= this.opts.maxPending) this.transport.pause();
    // Tclunk/Tremove wait for earlier requests on the same fid, so a node is never released
    // while another request is still using it (Linux never does this; a hostile client might).
    const before =
      msg.type === 'Tclunk' || msg.type === 'Tremove' ? this.usersOf(msg.fid, entry) : [];
    const started = before.length
      ? Promise.allSettled(before).then(() => this.run(msg, entry))
      : this.run(msg, entry);
    entry.done = started.finally(() => {
      if (this.pending.get(msg.tag) === entry) this.pending.delete(msg.tag);
      if (this.pending.size < this.opts.maxPending) this.transport.resume();
    });
  }

  private usersOf(fid: number, self: Pending): Promise<void>[] {
    const out: Promise<void>[] = [];
    for (const p of this.pending.values()) {
      if (p === self || !p.msg) continue;
      const m = p.msg as unknown as Record<string, unknown>;
      if (FID_FIELDS.some((k) => m[k] === fid)) out.push(p.done);
    }
    return out;
  }

  private async run(msg: TMessage, entry: Pending): Promise<void> {
    const started = performance.now();
    let reply: Message;
    let failed = false;
    try {
      const ctx = this.context(entry.controller.signal);
      const body =
        msg.type === 'Tversion'
          ? await version(ctx, msg, this.opts.maxMsize)
          : await dispatch(ctx, msg);
      reply = { ...(body as object), type: `R${msg.type.slice(1)}`, tag: msg.tag } as Message;
    } catch (err) {
      failed = true;
      reply = { type: 'Rlerror', tag: msg.tag, ecode: errnoOf(err) };
    }
    this.opts.stats.record(msg.type, performance.now() - started, failed);
    if (entry.flushed && entry.controller.signal.aborted && failed) {
      // Cancelled by Tflush: the client forgets this tag once Rflush arrives, so no reply.
      this.trace(`-- ${msg.type} tag ${msg.tag} flushed, reply dropped`);
      return;
    }
    this.send(reply, msg.type);
  }

  private async flush(msg: MessageOf<'Tflush'>): Promise<void> {
    const old = this.pending.get(msg.oldtag);
    if (old) {
      old.flushed = true;
      old.controller.abort();
      this.opts.stats.flushed++;
      // The old request either finished (its reply goes out first, which the protocol allows)
      // or was cancelled (no reply); only then does Rflush go out.
      await old.done;
    }
    this.opts.stats.record('Tflush', 0, false);
    this.send({ type: 'Rflush', tag: msg.tag }, 'Tflush');
  }

  private context(signal: AbortSignal): RequestContext {
    return {
      fs: this.opts.fs,
      fids: this.fids,
      locks: this.opts.locks,
      readonly: this.opts.readonly,
      msize: this.msize,
      connectionId: this.opts.connectionId,
      maxXattrSize: Math.min(this.opts.maxXattrSize, this.msize * 64),
      signal,
      reset: (msize) => this.reset(msize),
    };
  }

  private async reset(msize: number): Promise<void> {
    if (msize < MIN_MSIZE) throw Object.assign(new Error('msize too small'), { code: 'EINVAL' });
    this.msize = msize;
    this.transport.setMaxSize(msize);
    for (const [tag, p] of this.pending) {
      if (tag === NOTAG) continue;
      p.flushed = true;
      p.controller.abort();
    }
    await Promise.all(this.fids.drain().map(releaseFid));
    this.opts.locks.releaseOwners(`${this.opts.connectionId}/`);
  }

  private send(reply: Message, request: string): void {
    if (this.opts.trace) {
      this.trace(`-> ${describeMessage(reply)}${reply.type === 'Rlerror' ? ` (${request})` : ''}`);
    }
    if (
      (reply.type === 'Rread' || reply.type === 'Rreaddir') &&
      reply.data.length + 11 <= this.msize
    ) {
      // Single copy per read: the header goes out in front of the backend's buffer as is.
      const header = Buffer.allocUnsafe(11);
      header.writeUInt32LE(11 + reply.data.length, 0);
      header.writeUInt8(reply.type === 'Rread' ? 117 : 41, 4);
      header.writeUInt16LE(reply.tag, 5);
      header.writeUInt32LE(reply.data.length, 7);
      this.transport.sendv(header, reply.data);
      return;
    }
    let frame: Buffer;
    try {
      frame = encodeMessage(reply);
    } catch (err) {
      // A backend returned something unencodable (say a name over 64 KiB): report EIO.
      this.trace(`!! cannot encode ${reply.type}: ${(err as Error).message}`);
      frame = encodeMessage({ type: 'Rlerror', tag: reply.tag, ecode: Errno.EIO });
    }
    if (frame.length > this.msize) {
      frame = encodeMessage({ type: 'Rlerror', tag: reply.tag, ecode: Errno.ERANGE });
    }
    this.transport.send(frame);
  }

  private sendError(tag: number, ecode: number, request: string): void {
    this.send({ type: 'Rlerror', tag, ecode }, request);
  }

  private trace(line: string): void {
    this.opts.trace?.(`[${this.opts.connectionId}] ${line}`);
  }

  private async onClose(err?: Error): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (err) this.trace(`connection closed: ${err.message}`);
    for (const p of this.pending.values()) {
      p.flushed = true;
      p.controller.abort();
    }
    await Promise.allSettled([...this.pending.values()].map((p) => p.done));
    await Promise.all(this.fids.drain().map(releaseFid));
    this.opts.locks.releaseOwners(`${this.opts.connectionId}/`);
    this.resolveClosed();
  }
}
