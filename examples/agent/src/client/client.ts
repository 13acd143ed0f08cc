import { EventEmitter } from 'node:events';
import type { Duplex } from 'node:stream';
import { serveTimeNow } from '../agent/methods/time.js';
import { MessageError } from '../errors.js';
import { Channel } from '../protocol/envelopes.js';
import {
  type EventName,
  events,
  type MethodName,
  methods,
  type Params,
  type Result,
} from '../protocol/methods.js';
import type { IncomingChannel } from '../rpc/channels.js';
import { type CallOptions, RpcPeer } from '../rpc/peer.js';
import { hostResync } from '../rpc/resync.js';
import type { Identity } from '../tls/identity.js';
import { connectSecure } from '../tls/secure-channel.js';

export interface AgentClientOptions {
  /** The host's key and certificate (the agent pins this certificate). */
  identity: Identity;
  /** The portal's certificate, pinned. */
  portalCert: string;
  log?: (line: string) => void;
  handshakeTimeout?: number;
  /** The host clock served to the agent's heartbeat (tests fake it). */
  now?: () => number;
}

/** A running `exec`: its output streams and its exit status. */
export interface ExecCall {
  stdout: IncomingChannel;
  stderr: IncomingChannel;
  /** Write stdin (the call must have been made with `stdin: true`). */
  write(data: Uint8Array): Promise<void>;
  endStdin(): void;
  result: Promise<Result<'exec'>>;
  cancel(): void;
}

type EventMap = { [E in EventName]: [data: unknown] } & { close: [] };

/**
 * The host side of the agent: one TLS channel to one portal, typed methods with results
 * checked against the shared schemas, and the agent's events.
 */
export class AgentClient extends EventEmitter<EventMap> {
  readonly peer: RpcPeer;
  /** The last 100 events, oldest first: `boot` arrives before a caller can listen. */
  readonly eventLog: { name: EventName; data: unknown }[] = [];

  private constructor(peer: RpcPeer) {
    super();
    this.peer = peer;
    peer.on('event', (name, data) => {
      if (!Object.hasOwn(events, name)) return;
      const parsed = events[name as EventName].safeParse(data);
      if (!parsed.success) return;
      this.eventLog.push({ name: name as EventName, data: parsed.data });
      if (this.eventLog.length > 100) this.eventLog.shift();
      this.emit(name as EventName, parsed.data);
    });
    peer.on('close', () => this.emit('close'));
  }

  /** Runs the TLS handshake over `stream` (a virtio-serial socket, vsock, ...). */
  static async connect(stream: Duplex, options: AgentClientOptions): Promise<AgentClient> {
    const synced = await hostResync(stream, options.handshakeTimeout);
    const secure = await connectSecure(synced, {
      identity: options.identity,
      peerCert: options.portalCert,
      ...(options.handshakeTimeout === undefined ? {} : { timeout: options.handshakeTimeout }),
    });
    const peer = new RpcPeer(secure, {
      role: 'host',
      ...(options.log ? { log: options.log } : {}),
    });
    peer.handle('time.now', ({ params }) =>
      serveTimeNow(options.now ?? (() => performance.timeOrigin + performance.now()))(params),
    );
    return new AgentClient(peer);
  }

  /**
   * Opens a stream and connects, trying again on a failed handshake: a port that a previous
   * host left mid-session (or an impostor) may still hold stale bytes, which the agent drops
   * with that failed attempt. Pinning is unchanged: every attempt must pass the same checks.
   */
  static async open(
    openStream: () => Promise<Duplex>,
    options: AgentClientOptions & { attempts?: number },
  ): Promise<AgentClient> {
    const attempts = options.attempts ?? 3;
    let last: unknown;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const stream = await openStream();
      try {
        const client = await AgentClient.connect(stream, options);
        await client.call(
          'ping',
          { sent: Date.now() },
          { timeout: options.handshakeTimeout ?? 30_000 },
        );
        return client;
      } catch (error) {
        last = error;
        stream.destroy();
        options.log?.(`agent connect attempt ${attempt} failed: ${(error as Error).message}`);
      }
    }
    throw last;
  }

  /** Any method, its params as typed and its result checked. */
  async call<M extends MethodName>(
    method: M,
    params: Params<M>,
    options?: CallOptions,
  ): Promise<Result<M>> {
    return this.#check(method, await this.peer.request(method, params, options));
  }

  #check<M extends MethodName>(method: M, value: unknown): Result<M> {
    const parsed = methods[method].result.safeParse(value);
    if (!parsed.success)
      throw new MessageError('SCHEMA', `${method} result: ${parsed.error.message}`);
    return parsed.data as Result<M>;
  }

  ping(): Promise<Result<'ping'>> {
    return this.call('ping', { sent: Date.now() });
  }

  /** Lets the agent measure its clock against ours and correct it (also call after RESUME). */
  heartbeat(): Promise<Result<'heartbeat'>> {
    return this.call('heartbeat', { host: Date.now() }, { timeout: 60_000 });
  }

  profile(): Promise<Result<'profile'>> {
    return this.call('profile', {});
  }

  exec(params: Params<'exec'>, options?: CallOptions): ExecCall {
    const call = this.peer.call('exec', params, options);
    const stdin = call.output(Channel.IN);
    return {
      stdout: call.input(Channel.OUT),
      stderr: call.input(Channel.ERR),
      write: (data) => stdin.send(data),
      endStdin: () => stdin.end(),
      result: call.result.then((value) => this.#check('exec', value)),
      cancel: () => call.cancel(),
    };
  }

  /** Runs a command and collects its output (for small outputs; stream with `exec` otherwise). */
  async run(
    command: string,
    args: string[] = [],
    options: Omit<Params<'exec'>, 'command' | 'args'> = {},
  ): Promise<Result<'exec'> & { stdout: string; stderr: string }> {
    const call = this.exec({ command, args, ...options });
    const [stdout, stderr, result] = await Promise.all([
      call.stdout.collect(),
      call.stderr.collect(),
      call.result,
    ]);
    return { ...result, stdout: stdout.toString('utf8'), stderr: stderr.toString('utf8') };
  }

  async readFile(path: string): Promise<Buffer> {
    const call = this.peer.call('file.read', { path });
    const [data] = await Promise.all([call.input(Channel.OUT).collect(), call.result]);
    return data;
  }

  async writeFile(
    path: string,
    data: Uint8Array | AsyncIterable<Uint8Array>,
    options: { mode?: number; append?: boolean } = {},
  ): Promise<Result<'file.write'>> {
    const call = this.peer.call('file.write', { path, ...options });
    const out = call.output(Channel.IN);
    const upload = (async () => {
      if (data instanceof Uint8Array) await out.send(data);
      else for await (const chunk of data) await out.send(chunk);
      out.end();
    })();
    const [, result] = await Promise.all([upload, call.result]);
    return this.#check('file.write', result);
  }

  stat(path: string): Promise<Result<'file.stat'>> {
    return this.call('file.stat', { path });
  }

  list(path: string): Promise<Result<'file.list'>> {
    return this.call('file.list', { path });
  }

  mount(params: Params<'mount'>): Promise<Result<'mount'>> {
    return this.call('mount', params, { timeout: 90_000 });
  }

  runHooks(hook: Params<'hooks'>['hook']): Promise<Result<'hooks'>> {
    return this.call('hooks', { hook });
  }

  shutdown(options: { reboot?: boolean } = {}): Promise<Result<'shutdown'>> {
    return this.call('shutdown', { reboot: options.reboot ?? false }, { timeout: 130_000 });
  }

  close(): void {
    this.peer.close();
  }
}
