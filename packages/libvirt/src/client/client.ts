import type { Duplex } from 'node:stream';
import {
  type RpcCallOptions,
  RpcConnection,
  type RpcConnectionOptions,
} from '../connection/connection.js';
import {
  LibvirtArgumentError,
  LibvirtConnectError,
  LibvirtError,
  LibvirtRemoteError,
  LibvirtUnsupportedError,
  type RemoteErrorFields,
} from '../errors.js';
import {
  QEMU_PROGRAM,
  QEMU_PROTOCOL_VERSION,
  type QemuProcedures,
  qemuProcedures,
} from '../generated/qemu.js';
import {
  REMOTE_PROGRAM,
  REMOTE_PROTOCOL_VERSION,
  RemoteAuthType,
  type RemoteProcedures,
  remoteProcedures,
} from '../generated/remote.js';
import { VirNetMessageStatus } from '../generated/virnet.js';
import type { Packet } from '../rpc/packet.js';
import { protocolSchema } from '../schema.js';
import { openTransport } from '../transport/open.js';
import { parseLibvirtUri } from '../transport/uri.js';

/** Procedures a client calls (events, which only the daemon sends, are left out). */
export type RemoteCallName = {
  [K in keyof RemoteProcedures]: RemoteProcedures[K]['message'] extends undefined ? K : never;
}[keyof RemoteProcedures];
export type QemuCallName = {
  [K in keyof QemuProcedures]: QemuProcedures[K]['message'] extends undefined ? K : never;
}[keyof QemuProcedures];
/** Events the daemon sends (`domainEventCallbackLifecycle`, ...). */
export type RemoteEventName = Exclude<keyof RemoteProcedures, RemoteCallName>;

/** The argument list of a procedure: none when it takes no arguments. */
export type CallArguments<T extends { args: unknown }> = T['args'] extends undefined
  ? [args?: undefined, options?: RpcCallOptions]
  : [args: T['args'], options?: RpcCallOptions];

interface ProcedureEntry {
  readonly id: number;
  readonly args: string | null;
  readonly ret: string | null;
  readonly message: string | null;
  readonly stream: string | null;
}

export interface LibvirtClientOptions extends RpcConnectionOptions {}

export interface ConnectOptions extends LibvirtClientOptions {
  /** Give up connecting (socket and open) after this long (default 10 s). */
  timeoutMs?: number;
  /** `VIR_CONNECT_RO` (1) and friends, passed to connectOpen. */
  flags?: number;
}

/**
 * A client of libvirt's daemon protocol over any Duplex. Every procedure of remote_protocol.x
 * (and qemu_protocol.x) is callable by name with typed arguments and results:
 *
 * ```ts
 * const { dom } = await client.call('domainLookupByName', { name: 'vm1' });
 * ```
 *
 * `connect(uri)` opens the socket a URI names, authenticates and opens the connection; the
 * friendly wrappers live in `Libvirt` (libvirt.ts), built on this.
 */
export class LibvirtClient {
  readonly connection: RpcConnection;
  private readonly eventListeners = new Map<number, Set<(message: unknown) => void>>();

  constructor(stream: Duplex, options: LibvirtClientOptions = {}) {
    this.connection = new RpcConnection(stream, options);
    this.connection.onMessage((packet) => this.onMessage(packet));
  }

  /** Calls a procedure of libvirt's remote program. */
  call<P extends RemoteCallName>(
    name: P,
    ...[args, options]: CallArguments<RemoteProcedures[P]>
  ): Promise<RemoteProcedures[P]['ret']> {
    return this.invoke(
      REMOTE_PROGRAM,
      REMOTE_PROTOCOL_VERSION,
      remoteProcedures,
      'remote',
      name,
      args,
      options,
    ) as Promise<RemoteProcedures[P]['ret']>;
  }

  /** Calls a procedure of libvirt's QEMU program (`domainMonitorCommand`, ...). */
  callQemu<P extends QemuCallName>(
    name: P,
    ...[args, options]: CallArguments<QemuProcedures[P]>
  ): Promise<QemuProcedures[P]['ret']> {
    return this.invoke(
      QEMU_PROGRAM,
      QEMU_PROTOCOL_VERSION,
      qemuProcedures,
      'qemu',
      name,
      args,
      options,
    ) as Promise<QemuProcedures[P]['ret']>;
  }

  /**
   * Listens to one kind of event message (`domainEventCallbackLifecycle`, ...). The daemon only
   * sends events a callback was registered for (`connectDomainEventCallbackRegisterAny`).
   * Returns a function that removes the listener.
   */
  onEvent<E extends RemoteEventName>(
    name: E,
    listener: (message: RemoteProcedures[E]['message']) => void,
  ): () => void {
    const entry = lookup(remoteProcedures, 'remote', name);
    if (!entry.message) throw new LibvirtArgumentError('name', `"${name}" is not an event`);
    let set = this.eventListeners.get(entry.id);
    if (!set) {
      set = new Set();
      this.eventListeners.set(entry.id, set);
    }
    const l = listener as (message: unknown) => void;
    set.add(l);
    return () => set.delete(l);
  }

  /**
   * Authenticates (no auth, or polkit, which libvirtd grants root on its Unix socket) and asks
   * the daemon to open `name` (`qemu:///system`). SASL is not supported yet.
   */
  async open(name: string, flags = 0, options?: RpcCallOptions): Promise<void> {
    const { types } = await this.call('authList', undefined, options);
    if (types.length > 0 && !types.includes(RemoteAuthType.REMOTE_AUTH_NONE)) {
      if (types.includes(RemoteAuthType.REMOTE_AUTH_POLKIT)) {
        await this.call('authPolkit', undefined, options);
      } else {
        throw new LibvirtUnsupportedError(
          `the daemon requires SASL authentication for ${name}, which this client does not support yet`,
        );
      }
    }
    await this.call('connectOpen', { name, flags }, options);
  }

  /** Asks the daemon to close the connection (connectClose), then closes the stream. */
  async close(): Promise<void> {
    if (!this.connection.closed) {
      try {
        await this.call('connectClose', undefined, { timeoutMs: 5000 });
      } catch {
        // Closing anyway: a dead or confused daemon must not keep the socket open.
      }
    }
    await this.connection.close('the client closed the connection');
  }

  private async invoke(
    program: number,
    version: number,
    table: Readonly<Record<string, ProcedureEntry>>,
    tableName: string,
    name: string,
    args: unknown,
    options: RpcCallOptions | undefined,
  ): Promise<unknown> {
    const entry = lookup(table, tableName, name);
    if (entry.message) {
      throw new LibvirtArgumentError('name', `"${name}" is an event the daemon sends, not a call`);
    }
    if (entry.stream) {
      throw new LibvirtUnsupportedError(
        `"${name}" opens a ${entry.stream} stream; streams are not supported yet`,
      );
    }
    let payload: Uint8Array = new Uint8Array(0);
    if (entry.args) payload = protocolSchema.encode(entry.args, args);
    else if (args !== undefined && args !== null) {
      throw new LibvirtArgumentError('args', `"${name}" takes no arguments`);
    }
    const reply = await this.connection.call(program, version, entry.id, payload, name, options);
    return decodeReply(name, entry, reply);
  }

  private onMessage(packet: Packet): void {
    const { header } = packet;
    if (header.program !== REMOTE_PROGRAM) return;
    const listeners = this.eventListeners.get(header.procedure);
    if (!listeners || listeners.size === 0) return;
    const entry = eventsById.get(header.procedure);
    if (!entry?.message) return;
    let message: unknown;
    try {
      message = protocolSchema.decode(entry.message, packet.payload);
    } catch (error) {
      // A malformed event is the daemon's fault; the connection cannot trust what follows.
      void this.connection.close(`undecodable ${entry.name} event: ${(error as Error).message}`);
      return;
    }
    for (const listener of listeners) {
      try {
        listener(message);
      } catch {
        // Listeners must not break event delivery to the others.
      }
    }
  }
}

const eventsById = new Map<number, { name: string; message: string | null }>(
  Object.entries(remoteProcedures)
    .filter(([, p]) => p.message !== null)
    .map(([name, p]) => [p.id, { name, message: p.message }]),
);

function lookup(
  table: Readonly<Record<string, ProcedureEntry>>,
  tableName: string,
  name: string,
): ProcedureEntry {
  if (typeof name !== 'string' || !Object.hasOwn(table, name)) {
    throw new LibvirtArgumentError(
      'name',
      `"${String(name)}" is not a procedure of the ${tableName} program`,
    );
  }
  return table[name]!;
}

function decodeReply(name: string, entry: ProcedureEntry, reply: Packet): unknown {
  if (reply.header.status === VirNetMessageStatus.VIR_NET_ERROR) {
    throw new LibvirtRemoteError(
      name,
      protocolSchema.decode<RemoteErrorFields>('remote_error', reply.payload),
    );
  }
  if (reply.header.status !== VirNetMessageStatus.VIR_NET_OK) {
    throw new LibvirtError('PROTOCOL_ERROR', `${name}: reply with status ${reply.header.status}`);
  }
  if (entry.ret) return protocolSchema.decode(entry.ret, reply.payload);
  if (reply.payload.length !== 0) {
    throw new LibvirtError(
      'PROTOCOL_ERROR',
      `${name}: reply carries ${reply.payload.length} bytes where none were expected`,
    );
  }
  return undefined;
}

/**
 * Opens a libvirt URI: connects the socket it names (`qemu:///system`, `qemu:///session`,
 * `qemu+tcp://host/system`), authenticates and opens the connection on the daemon.
 */
export async function connectClient(
  uri: string,
  options: ConnectOptions = {},
): Promise<LibvirtClient> {
  const parsed = parseLibvirtUri(uri);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const stream = await openTransport(parsed, timeoutMs);
  const client = new LibvirtClient(stream, options);
  try {
    await client.open(parsed.remoteName, options.flags ?? 0, { timeoutMs });
  } catch (error) {
    await client.connection.close('opening the connection failed');
    if (error instanceof LibvirtRemoteError || error instanceof LibvirtUnsupportedError)
      throw error;
    throw new LibvirtConnectError(uri, (error as Error).message, { cause: error });
  }
  return client;
}
