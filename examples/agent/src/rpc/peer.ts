import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import {
  AgentError,
  CancelledError,
  ClosedError,
  FrameError,
  MessageError,
  RemoteError,
  TimeoutError,
} from '../errors.js';
import { decodeBody, encodeBody } from '../protocol/codec.js';
import {
  Channel,
  CreditBody,
  ErrorBody,
  EventBody,
  RequestBody,
  ResponseBody,
} from '../protocol/envelopes.js';
import {
  DEFAULT_MAX_FRAME,
  encodeFrame,
  type Frame,
  FrameDecoder,
  FrameType,
} from '../protocol/frame.js';
import { DEFAULT_WINDOW, IncomingChannel, OutgoingChannel } from './channels.js';

export interface PeerOptions {
  /** `host` numbers its calls odd, `agent` even, so both may call at once without clashes. */
  role: 'host' | 'agent';
  maxFrame?: number;
  window?: number;
  /** One line per refused or malformed message. Default: none. */
  log?: (line: string) => void;
  /** Calls in flight the peer may open before new ones are refused. Default 64. */
  maxIncomingCalls?: number;
  /**
   * Bytes waiting to be written to a peer that does not read, past which the channel is
   * closed (each bad frame it sends is answered, so this bounds the answers). Default 16 MiB.
   */
  maxWriteBacklog?: number;
}

export const DEFAULT_MAX_WRITE_BACKLOG = 16 * 1024 * 1024;

/** Sub-channels a call may use: anything else is refused before a queue is made for it. */
const CHANNELS = new Set<number>(Object.values(Channel));

/** What a handler sees of the call it serves. */
export interface CallContext {
  readonly id: number;
  readonly method: string;
  readonly params: unknown;
  /** Aborted when the caller cancels or the channel closes. */
  readonly signal: AbortSignal;
  output(stream: number): OutgoingChannel;
  input(stream: number): IncomingChannel;
}

export type Handler = (context: CallContext) => Promise<unknown>;

export interface CallOptions {
  signal?: AbortSignal;
  timeout?: number;
}

/** One call in flight on either side: its sub-channels both ways. */
class CallState {
  readonly incoming = new Map<number, IncomingChannel>();
  readonly outgoing = new Map<number, OutgoingChannel>();
  readonly abort = new AbortController();
  constructor(
    readonly id: number,
    readonly method: string,
  ) {}
}

/** A call made by this side: the result, and its streams. */
export interface Call {
  readonly id: number;
  readonly result: Promise<unknown>;
  output(stream: number): OutgoingChannel;
  input(stream: number): IncomingChannel;
  cancel(): void;
}

/**
 * A symmetric RPC endpoint over one Duplex: requests and responses by id, several in flight,
 * cancellation, credit-controlled streams and pushed events. Bad input from the peer (garbage
 * frames, bad CBOR, unknown methods, schema errors) gets an ERROR frame and a log line; only a
 * stream that lost framing for good is closed.
 */
export class RpcPeer extends EventEmitter<{ event: [name: string, data: unknown]; close: [] }> {
  readonly #stream: Duplex;
  readonly #decoder: FrameDecoder;
  readonly #window: number;
  readonly #log: (line: string) => void;
  readonly #handlers = new Map<string, Handler>();
  readonly #served = new Map<number, CallState>();
  readonly #calls = new Map<
    number,
    CallState & { settle: (error?: Error, value?: unknown) => void }
  >();
  readonly #maxIncoming: number;
  readonly #maxWriteBacklog: number;
  #nextId: number;
  #closed: Error | undefined;
  readonly closed: Promise<void>;
  #resolveClosed!: () => void;

  constructor(stream: Duplex, options: PeerOptions) {
    super();
    this.#stream = stream;
    this.#decoder = new FrameDecoder(options.maxFrame ?? DEFAULT_MAX_FRAME);
    this.#window = options.window ?? DEFAULT_WINDOW;
    const log = options.log;
    // Called from the stream's data handler: a throwing log hook must not escape it.
    this.#log = log
      ? (line) => {
          try {
            log(line);
          } catch {}
        }
      : () => {};
    this.#maxIncoming = options.maxIncomingCalls ?? 64;
    this.#maxWriteBacklog = options.maxWriteBacklog ?? DEFAULT_MAX_WRITE_BACKLOG;
    this.#nextId = options.role === 'host' ? 1 : 2;
    this.closed = new Promise((resolve) => {
      this.#resolveClosed = resolve;
    });
    stream.on('data', (chunk: Buffer) => this.#receive(chunk));
    stream.once('close', () => this.#shutdown(new ClosedError()));
    stream.once('end', () => this.#shutdown(new ClosedError('the peer closed the channel')));
    stream.on('error', (error) => this.#shutdown(new ClosedError(error.message, { cause: error })));
  }

  get isClosed(): boolean {
    return this.#closed !== undefined;
  }

  /** Why the channel closed (the peer ended it, a stream error, lost framing), once it has. */
  get closeReason(): Error | undefined {
    return this.#closed;
  }

  handle(method: string, handler: Handler): void {
    this.#handlers.set(method, handler);
  }

  call(method: string, params: unknown, options: CallOptions = {}): Call {
    const id = this.#nextId;
    this.#nextId = this.#nextId >= 0xfffffffd ? (id % 2 === 1 ? 1 : 2) : id + 2;
    let settle!: (error?: Error, value?: unknown) => void;
    const result = new Promise<unknown>((resolve, reject) => {
      settle = (error, value) => (error ? reject(error) : resolve(value));
    });
    result.catch(() => {}); // the caller may only read streams; never an unhandled rejection
    const state = Object.assign(new CallState(id, method), {
      settle: (error?: Error, value?: unknown) => {
        if (!this.#calls.delete(id)) return;
        cleanup();
        for (const out of state.outgoing.values()) out.close(error ?? new ClosedError('call done'));
        if (error) for (const input of state.incoming.values()) input.fail(error);
        settle(error, value);
      },
    });
    const onAbort = () => {
      this.#send(FrameType.CANCEL, id, 0, undefined);
      state.settle(new CancelledError(method));
    };
    const timer =
      options.timeout === undefined
        ? undefined
        : setTimeout(() => {
            this.#send(FrameType.CANCEL, id, 0, undefined);
            state.settle(new TimeoutError(method, options.timeout ?? 0));
          }, options.timeout);
    const cleanup = () => {
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    };
    this.#calls.set(id, state);
    if (this.#closed) state.settle(this.#closed);
    else if (options.signal?.aborted) state.settle(new CancelledError(method));
    else {
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.#send(FrameType.REQUEST, id, 0, { method, params });
    }
    return {
      id,
      result,
      output: (stream) => this.#outgoing(state, stream),
      input: (stream) => this.#incoming(state, stream),
      cancel: onAbort,
    };
  }

  request(method: string, params: unknown, options?: CallOptions): Promise<unknown> {
    return this.call(method, params, options).result;
  }

  emitEvent(name: string, data: unknown): void {
    this.#send(FrameType.EVENT, 0, 0, { name, data });
  }

  close(): void {
    this.#shutdown(new ClosedError());
    this.#stream.end();
  }

  #outgoing(state: CallState, stream: number): OutgoingChannel {
    let channel = state.outgoing.get(stream);
    if (!channel) {
      channel = new OutgoingChannel(
        this.#window,
        (data) => this.#sendData(state.id, stream, data),
        () => this.#send(FrameType.END, state.id, stream, undefined),
      );
      state.outgoing.set(stream, channel);
    }
    return channel;
  }

  #incoming(state: CallState, stream: number): IncomingChannel {
    let channel = state.incoming.get(stream);
    if (!channel) {
      channel = new IncomingChannel(this.#window, (bytes) =>
        this.#send(FrameType.CREDIT, state.id, stream, { bytes }),
      );
      state.incoming.set(stream, channel);
    }
    return channel;
  }

  #write(frame: Frame): boolean {
    if (this.#closed || this.#stream.destroyed || !this.#stream.writable) return true;
    const drained = this.#stream.write(encodeFrame(frame));
    if (this.#stream.writableLength > this.#maxWriteBacklog) {
      this.#log(`agent protocol: the peer left ${this.#stream.writableLength} bytes unread`);
      this.#shutdown(
        new AgentError(
          'FLOW',
          `the peer does not read: more than ${this.#maxWriteBacklog} bytes (maxWriteBacklog) wait to be written`,
        ),
        true,
      );
    }
    return drained;
  }

  #send(type: FrameType, id: number, stream: number, body: unknown): void {
    this.#write({
      type,
      id,
      stream,
      payload: body === undefined ? new Uint8Array(0) : encodeBody(body),
    });
  }

  /** Waits for the transport to drain too: credit bounds the peer, this bounds our buffers. */
  async #sendData(id: number, stream: number, data: Buffer): Promise<void> {
    if (this.#write({ type: FrameType.DATA, id, stream, payload: data })) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.#stream.off('drain', done);
        this.#stream.off('close', done);
        resolve();
      };
      this.#stream.once('drain', done);
      this.#stream.once('close', done);
    });
  }

  #sendError(id: number, error: AgentError | Error): void {
    const code = error instanceof AgentError ? error.code : 'INTERNAL';
    this.#send(FrameType.ERROR, id, 0, { code, message: error.message.slice(0, 4096) });
  }

  #receive(chunk: Buffer): void {
    for (const item of this.#decoder.push(chunk)) {
      if (this.#closed) return;
      if (item.error) {
        this.#log(`agent protocol: ${item.error.message}`);
        this.#sendError(item.error.id ?? 0, item.error);
      } else {
        try {
          this.#dispatch(item.frame);
        } catch (error) {
          const agentError =
            error instanceof AgentError ? error : new AgentError('INTERNAL', String(error));
          this.#log(
            `agent protocol: frame ${item.frame.type} id ${item.frame.id}: ${agentError.message}`,
          );
          if (item.frame.type !== FrameType.ERROR) this.#sendError(item.frame.id, agentError);
        }
      }
    }
    if (this.#decoder.desynced) this.#shutdown(new FrameError('the peer broke framing'), true);
  }

  #dispatch(frame: Frame): void {
    const { id, stream } = frame;
    switch (frame.type) {
      case FrameType.REQUEST:
        this.#onRequest(id, parse(RequestBody, frame));
        return;
      case FrameType.CANCEL: {
        this.#served.get(id)?.abort.abort(new CancelledError(this.#served.get(id)?.method ?? '?'));
        return;
      }
      case FrameType.RESPONSE: {
        const body = parse(ResponseBody, frame);
        const call = this.#calls.get(id);
        if (!call) throw new FrameError(`a response to no call in flight (${id})`, id);
        call.settle(undefined, body.result);
        return;
      }
      case FrameType.ERROR: {
        const body = parse(ErrorBody, frame);
        const call = this.#calls.get(id);
        if (call) call.settle(new RemoteError(call.method, body.code, body.message));
        else this.#log(`agent protocol: peer error ${body.code}: ${body.message}`);
        return;
      }
      case FrameType.EVENT: {
        const body = parse(EventBody, frame);
        this.emit('event', body.name, body.data);
        return;
      }
      case FrameType.DATA:
      case FrameType.END: {
        if (!CHANNELS.has(stream)) throw new FrameError(`unknown sub-channel ${stream}`, id);
        const state = this.#served.get(id) ?? this.#calls.get(id);
        if (!state) return; // late data of a call already finished or cancelled
        const input = this.#incoming(state, stream);
        if (frame.type === FrameType.END) input.end();
        else if (!input.push(Buffer.from(frame.payload))) {
          input.fail(new AgentError('FLOW', 'the peer sent past its credit'));
          throw new AgentError('FLOW', `stream ${stream} of call ${id} overran its credit`);
        }
        return;
      }
      case FrameType.CREDIT: {
        if (!CHANNELS.has(stream)) throw new FrameError(`unknown sub-channel ${stream}`, id);
        const body = parse(CreditBody, frame);
        const state = this.#served.get(id) ?? this.#calls.get(id);
        state?.outgoing.get(stream)?.addCredit(body.bytes);
        if (state && !state.outgoing.has(stream))
          this.#outgoing(state, stream).addCredit(body.bytes);
        return;
      }
    }
  }

  #onRequest(id: number, body: RequestBody): void {
    if (this.#served.has(id)) throw new FrameError(`call id ${id} is already in flight`, id);
    const handler = this.#handlers.get(body.method);
    if (!handler)
      throw new AgentError('UNKNOWN_METHOD', `unknown method ${JSON.stringify(body.method)}`);
    if (this.#served.size >= this.#maxIncoming) {
      throw new AgentError('FLOW', `more than ${this.#maxIncoming} calls in flight`);
    }
    const state = new CallState(id, body.method);
    this.#served.set(id, state);
    const context: CallContext = {
      id,
      method: body.method,
      params: body.params,
      signal: state.abort.signal,
      output: (stream) => this.#outgoing(state, stream),
      input: (stream) => this.#incoming(state, stream),
    };
    Promise.resolve()
      .then(() => handler(context))
      .then((result) => {
        if (state.abort.signal.aborted) throw state.abort.signal.reason;
        this.#send(FrameType.RESPONSE, id, 0, { result });
      })
      .catch((error: unknown) => {
        const err = error instanceof Error ? error : new AgentError('INTERNAL', String(error));
        if (!(err instanceof AgentError) || err.code === 'INTERNAL') {
          this.#log(`agent: ${body.method} failed: ${err.message}`);
        }
        this.#sendError(id, err);
      })
      .finally(() => {
        this.#served.delete(id);
        for (const out of state.outgoing.values()) out.close(new ClosedError('call done'));
        for (const input of state.incoming.values()) input.end();
      });
  }

  #shutdown(error: Error, destroy = false): void {
    if (this.#closed) return;
    this.#closed = error;
    for (const call of [...this.#calls.values()]) call.settle(error);
    for (const state of this.#served.values()) {
      state.abort.abort(error);
      for (const out of state.outgoing.values()) out.close(error);
      for (const input of state.incoming.values()) input.fail(error);
    }
    if (destroy) this.#stream.destroy();
    this.emit('close');
    this.#resolveClosed();
  }
}

function parse<T>(
  schema: {
    safeParse(
      v: unknown,
    ): { success: true; data: T } | { success: false; error: { message: string } };
  },
  frame: Frame,
): T {
  const value = decodeBody(frame.payload);
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new MessageError('SCHEMA', `frame type ${frame.type}: ${parsed.error.message}`);
  }
  return parsed.data;
}
