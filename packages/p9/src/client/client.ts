import net from 'node:net';
import type { Duplex } from 'node:stream';
import { parseAddress } from '../address.js';
import { ConnectionClosedError, P9Error, RemoteError } from '../errors.js';
import { decodeMessage, encodeMessage } from '../protocol/codec.js';
import { DEFAULT_MSIZE, NOFID, NOTAG, VERSION_9P2000L } from '../protocol/constants.js';
import { errnoName } from '../protocol/errno.js';
import type {
  Message,
  MessageOf,
  ReplyKind,
  TMessage,
  TMessageKind,
} from '../protocol/messages.js';
import { FramedStream } from '../transport/framed-stream.js';

type Request = TMessage extends infer M ? (M extends TMessage ? Omit<M, 'tag'> : never) : never;

interface Waiter {
  resolve(m: Message): void;
  reject(e: Error): void;
  type: string;
}

export interface ClientOptions {
  /** msize to ask for (default 1 MiB); the server may offer less. */
  msize?: number;
}

/**
 * The wire side of a 9P2000.L client: tags, pending requests, version negotiation, fid
 * numbers. `rpc()` sends any T-message and resolves with its R-message or rejects with
 * RemoteError (Rlerror). Higher-level file operations live in `P9Client`.
 */
export class P9Connection {
  private readonly transport: FramedStream;
  private readonly waiters = new Map<number, Waiter>();
  private nextTag = 0;
  private nextFid = 1;
  private freeFids: number[] = [];
  private closedError?: Error;
  msize = DEFAULT_MSIZE;

  constructor(readonly stream: Duplex) {
    this.transport = new FramedStream(stream, DEFAULT_MSIZE + 4096, {
      frame: (f) => this.onFrame(f),
      close: (err) => this.onClose(err),
    });
  }

  private onFrame(frame: Buffer): void {
    let m: Message;
    try {
      // Frames from the transport belong to this connection alone: Rread data stays a view.
      m = decodeMessage(frame, { borrowData: true });
    } catch (err) {
      this.transport.close(err as Error);
      return;
    }
    const w = this.waiters.get(m.tag);
    if (!w) return;
    this.waiters.delete(m.tag);
    if (m.type === 'Rlerror') w.reject(new RemoteError(m.ecode, errnoName(m.ecode), w.type));
    else w.resolve(m);
  }

  private onClose(err?: Error): void {
    this.closedError = new ConnectionClosedError(
      err ? `connection closed: ${err.message}` : 'connection closed',
      {
        cause: err,
      },
    );
    for (const w of this.waiters.values()) w.reject(this.closedError);
    this.waiters.clear();
  }

  private allocTag(): number {
    for (let i = 0; i < 0xffff; i++) {
      const t = this.nextTag;
      this.nextTag = (this.nextTag + 1) % 0xffff;
      if (!this.waiters.has(t)) return t;
    }
    throw new P9Error('INVALID_OPTION', 'no free tags: 65535 requests in flight');
  }

  /** A fid number not in use on this connection. */
  allocFid(): number {
    return this.freeFids.pop() ?? this.nextFid++;
  }

  releaseFid(fid: number): void {
    this.freeFids.push(fid);
  }

  /** Sends a request; `tag` is assigned unless given (Tversion uses NOTAG). */
  rpc<K extends TMessageKind>(
    req: Omit<MessageOf<K>, 'tag'> & { type: K },
    tag?: number,
  ): Promise<MessageOf<ReplyKind<K>>> {
    if (this.closedError) return Promise.reject(this.closedError);
    const t = tag ?? this.allocTag();
    const frame = encodeMessage({ ...req, tag: t } as unknown as Message);
    return new Promise((resolve, reject) => {
      this.waiters.set(t, { resolve: resolve as (m: Message) => void, reject, type: req.type });
      this.transport.send(frame);
    });
  }

  /** Sends a request and returns its tag together with the reply promise (for Tflush tests). */
  rpcWithTag(req: Request): { tag: number; reply: Promise<Message> } {
    const tag = this.allocTag();
    return { tag, reply: this.rpc(req as never, tag) as Promise<Message> };
  }

  async version(msize: number): Promise<void> {
    const r = await this.rpc({ type: 'Tversion', msize, version: VERSION_9P2000L }, NOTAG);
    if (r.version !== VERSION_9P2000L)
      throw new P9Error('REMOTE', `server speaks ${r.version}, not 9P2000.L`);
    this.msize = r.msize;
    this.transport.setMaxSize(r.msize);
  }

  close(): void {
    this.transport.close();
  }

  get closed(): boolean {
    return this.closedError !== undefined;
  }
}

export async function openStream(address: string): Promise<net.Socket> {
  const a = parseAddress(address);
  const sock = a.kind === 'unix' ? net.connect(a.path) : net.connect(a.port, a.host);
  sock.setNoDelay?.(true);
  await new Promise<void>((resolve, reject) => {
    sock.once('connect', resolve);
    sock.once('error', reject);
  });
  return sock;
}

export { NOFID };
