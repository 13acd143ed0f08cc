import type { Duplex } from 'node:stream';
import {
  QmpArgumentError,
  QmpConnectionClosedError,
  QmpError,
  QmpLimitError,
  QmpProtocolError,
  QmpUnexpectedReplyError,
  QmpUnsupportedError,
} from '../errors.js';
import { type DecodedLine, QmpDecoder } from '../protocol/decoder.js';
import { DEFAULT_MAX_DEPTH, DEFAULT_MAX_LINE_BYTES } from '../protocol/limits.js';
import type { QmpEventMessage, QmpGreeting, QmpServerMessage } from '../protocol/messages.js';
import type { QmpAddress } from '../transport/connect.js';
import { EventHub, type EventStreamOptions, type WaitForEventOptions } from './event-hub.js';
import { fdPassingUnsupported } from './fd-passing.js';
import { connectWithRetry, readGreeting } from './handshake.js';
import { LiveSchema } from './live-schema.js';
import type { QmpClientOptions, QmpConnectOptions } from './options.js';
import { RequestQueue } from './request-queue.js';
import type {
  AnyQmpEvent,
  CommandName,
  CommandReturn,
  EventName,
  ExecuteOptions,
  ExecuteParams,
  QmpEvent,
  UnknownCommandName,
} from './types.js';

/**
 * A QMP session over any byte stream. Create one with `QmpClient.connect(address)` or
 * `QmpClient.fromStream(duplex)`; both resolve after the greeting and `qmp_capabilities`.
 */
export class QmpClient {
  readonly greeting: QmpGreeting;
  /** Capabilities enabled for this session (e.g. `['oob']`). */
  readonly capabilities: readonly string[];
  private readonly stream: Duplex;
  private readonly decoder: QmpDecoder;
  private readonly hub: EventHub;
  private readonly requests: RequestQueue;
  private closedError: QmpConnectionClosedError | undefined;
  private readonly closedPromise: Promise<QmpConnectionClosedError>;
  private resolveClosed!: (err: QmpConnectionClosedError) => void;
  private live: LiveSchema | undefined;

  private constructor(
    stream: Duplex,
    decoder: QmpDecoder,
    greeting: QmpGreeting,
    private readonly options: QmpClientOptions,
    early: DecodedLine[],
  ) {
    this.stream = stream;
    this.decoder = decoder;
    this.greeting = greeting;
    this.capabilities = [];
    const warnListener = (error: unknown, event: QmpEventMessage) =>
      process.emitWarning(
        `QMP event listener for ${event.event} threw: ${describeThrown(error)}`,
        'QmpListenerWarning',
      );
    const onListenerError = options.onListenerError;
    this.hub = new EventHub(
      options.historySize ?? 1000,
      onListenerError
        ? (error, event) => {
            // Runs inside the socket's data handler: a throwing hook must not escape it.
            try {
              onListenerError(error, event);
            } catch (hookError) {
              warnListener(hookError, event);
            }
          }
        : warnListener,
    );
    this.requests = new RequestQueue({
      write: (line) => this.stream.write(line),
      maxOobInFlight: options.maxOobInFlight ?? 8,
      commandTimeout: options.commandTimeout,
    });
    this.closedPromise = new Promise((resolve) => {
      this.resolveClosed = resolve;
    });
    stream.on('data', (chunk: Buffer) => this.onData(chunk));
    stream.on('error', (err) => this.shutdown(err.message, err));
    stream.on('close', () => this.shutdown('peer closed the connection'));
    stream.on('end', () => this.shutdown('peer closed the connection'));
    for (const decoded of early) this.onDecoded(decoded);
    stream.resume();
  }

  /** Connects to a Unix socket path or TCP address and negotiates capabilities. */
  static connect(address: QmpAddress, options: QmpConnectOptions = {}): Promise<QmpClient> {
    return connectWithRetry(address, options, QmpClient.fromStream);
  }

  /** Runs the QMP handshake over an already connected stream. */
  static async fromStream(stream: Duplex, options: QmpClientOptions = {}): Promise<QmpClient> {
    const decoder = new QmpDecoder({
      maxLineBytes: positiveInteger('maxLineBytes', options.maxLineBytes, DEFAULT_MAX_LINE_BYTES),
      maxDepth: positiveInteger('maxDepth', options.maxDepth, DEFAULT_MAX_DEPTH),
    });
    const { greeting, rest } = await readGreeting(
      stream,
      decoder,
      options.greetingTimeout ?? 10_000,
    );
    const client = new QmpClient(stream, decoder, greeting, options, rest);
    const offered = greeting.QMP.capabilities;
    const enable = offered.includes('oob') && options.oob !== false ? ['oob'] : [];
    await client.send('qmp_capabilities', enable.length ? { enable } : undefined, false, {
      timeout: options.greetingTimeout ?? 10_000,
    });
    (client.capabilities as string[]).push(...enable);
    client.requests.setInBandLimit(
      options.maxInFlight ?? (enable.length ? 7 : Number.POSITIVE_INFINITY),
    );
    return client;
  }

  /** `true` once the connection is gone; commands then reject immediately. */
  get isClosed(): boolean {
    return this.closedError !== undefined;
  }

  /** Resolves (never rejects) with the reason once the connection has closed. */
  get closed(): Promise<QmpConnectionClosedError> {
    return this.closedPromise;
  }

  /**
   * Runs a command and resolves with its `return` value. Known commands are typed from QEMU's
   * schema; any other name is accepted untyped (the escape hatch for newer QEMUs).
   */
  execute<K extends CommandName>(name: K, ...params: ExecuteParams<K>): Promise<CommandReturn<K>>;
  execute<N extends string>(
    name: UnknownCommandName<N>,
    args?: Record<string, unknown>,
    options?: ExecuteOptions,
  ): Promise<unknown>;
  execute(name: string, args?: unknown, options?: ExecuteOptions): Promise<unknown> {
    return this.send(name, args, false, options);
  }

  /** Runs a command out-of-band (`exec-oob`): it may overtake in-band commands still queued. */
  executeOob<K extends CommandName>(
    name: K,
    ...params: ExecuteParams<K>
  ): Promise<CommandReturn<K>>;
  executeOob<N extends string>(
    name: UnknownCommandName<N>,
    args?: Record<string, unknown>,
    options?: ExecuteOptions,
  ): Promise<unknown>;
  executeOob(name: string, args?: unknown, options?: ExecuteOptions): Promise<unknown> {
    if (!this.capabilities.includes('oob')) {
      return Promise.reject(
        new QmpUnsupportedError(`${name}: OOB execution was not negotiated with this QEMU`),
      );
    }
    return this.send(name, args, true, options);
  }

  /** Listens to one event (typed) or `'*'` for all. Returns the unsubscribe function. */
  on<K extends EventName>(name: K, listener: (event: QmpEvent<K>) => void): () => void;
  on(name: '*', listener: (event: AnyQmpEvent) => void): () => void;
  on(name: string, listener: (event: QmpEventMessage) => void): () => void;
  on(name: string, listener: (event: never) => void): () => void {
    return this.hub.on(name, listener as (event: QmpEventMessage) => void);
  }

  /** Async iterator over events in arrival order; ends when the connection closes or on abort. */
  events(options?: EventStreamOptions): AsyncGenerator<AnyQmpEvent, void, undefined> {
    return this.hub.stream(options) as AsyncGenerator<AnyQmpEvent, void, undefined>;
  }

  /** Resolves with the next `name` event matching `predicate`. */
  waitForEvent<K extends EventName>(
    name: K,
    predicate?: (event: QmpEvent<K>) => boolean,
    options?: WaitForEventOptions,
  ): Promise<QmpEvent<K>>;
  waitForEvent(
    name: string,
    predicate?: (event: QmpEventMessage) => boolean,
    options?: WaitForEventOptions,
  ): Promise<QmpEventMessage>;
  waitForEvent(
    name: string,
    predicate?: (event: never) => boolean,
    options?: WaitForEventOptions,
  ): Promise<QmpEventMessage> {
    return this.hub.waitFor(name, predicate as (e: QmpEventMessage) => boolean, options);
  }

  /**
   * Runs a command and waits for an event it causes, e.g. `device_del` then `DEVICE_DELETED`.
   * The wait starts before the command is sent, so an event racing the reply is not missed.
   */
  async executeAndWait<K extends CommandName, E extends EventName>(
    command: K,
    args: ExecuteParams<K>[0],
    event: E,
    predicate?: (event: QmpEvent<E>) => boolean,
    options: ExecuteOptions = {},
  ): Promise<{ result: CommandReturn<K>; event: QmpEvent<E> }> {
    const controller = new AbortController();
    const signal = options.signal
      ? AbortSignal.any([options.signal, controller.signal])
      : controller.signal;
    const waiting = this.waitForEvent(event, predicate, { timeout: options.timeout, signal });
    waiting.catch(() => {});
    try {
      const result = (await this.send(command, args, false, options)) as CommandReturn<K>;
      return { result, event: await waiting };
    } finally {
      controller.abort();
    }
  }

  /** The most recent events (bounded by `historySize`), oldest first. */
  eventHistory(): readonly AnyQmpEvent[] {
    return this.hub.recent() as readonly AnyQmpEvent[];
  }

  /** The live schema (`query-qmp-schema`), fetched once and cached. */
  async schema(options?: ExecuteOptions): Promise<LiveSchema> {
    if (!this.live) {
      const raw = await this.send('query-qmp-schema', undefined, false, options);
      this.live = new LiveSchema(raw);
    }
    return this.live;
  }

  /** Whether the connected QEMU knows `name` as a command or event (reads the schema once). */
  async supports(name: string): Promise<boolean> {
    const schema = await this.schema();
    return schema.hasCommand(name) || schema.hasEvent(name);
  }

  /**
   * Would send `fd` with SCM_RIGHTS followed by `getfd` (`fdname`). Always rejects with
   * `QmpUnsupportedError` in this build; see `fdPassingSupport()` for the `-add-fd` fallback.
   */
  sendFd(_fd: number, fdname: string): Promise<never> {
    return Promise.reject(fdPassingUnsupported(`getfd ${fdname}`));
  }

  /** Closes the connection; pending commands reject with `QmpConnectionClosedError`. */
  async close(): Promise<void> {
    this.shutdown('client closed the connection');
    this.stream.destroy();
  }

  /** Checks what the caller gave, then queues the command (see RequestQueue). */
  private send(
    command: string,
    args: unknown,
    oob: boolean,
    options?: ExecuteOptions,
  ): Promise<unknown> {
    if (typeof command !== 'string' || command.length === 0) {
      return Promise.reject(new QmpArgumentError('command', 'must be a non-empty string'));
    }
    if (args !== undefined && (typeof args !== 'object' || args === null || Array.isArray(args))) {
      return Promise.reject(new QmpArgumentError('args', `${command}: must be an object`));
    }
    return this.requests.send(command, args, oob, options);
  }

  private onData(chunk: Buffer): void {
    for (const decoded of this.decoder.push(chunk)) {
      if (this.closedError) return;
      this.onDecoded(decoded);
    }
  }

  private onDecoded(decoded: DecodedLine): void {
    if (decoded.ok) this.onMessage(decoded.message);
    else if (decoded.error instanceof QmpLimitError) this.failOnLimit(decoded.error);
    else this.reportProtocolError(decoded.error);
  }

  /** A peer past a bound: the stream is not followed further, everyone waiting hears why. */
  private failOnLimit(error: QmpLimitError): void {
    this.reportProtocolError(error);
    this.shutdown(error.message, error);
    this.stream.destroy();
  }

  private onMessage(message: QmpServerMessage): void {
    if (message.kind === 'event') {
      this.hub.dispatch(message.event);
      return;
    }
    if (message.kind === 'greeting') {
      this.reportProtocolError(new QmpProtocolError('unexpected second greeting'));
      return;
    }
    if (!this.requests.settle(message)) {
      this.reportProtocolError(new QmpUnexpectedReplyError(message.id));
    }
  }

  private reportProtocolError(error: Error): void {
    const err =
      error instanceof QmpError ? error : new QmpProtocolError(error.message, { cause: error });
    try {
      this.options.onProtocolError?.(err);
    } catch (hookError) {
      // Called from the socket's data handler: a throwing hook must not escape it.
      process.emitWarning(
        `QMP onProtocolError hook threw: ${describeThrown(hookError)}`,
        'QmpListenerWarning',
      );
    }
  }

  private shutdown(reason: string, cause?: unknown): void {
    if (this.closedError) return;
    const err = new QmpConnectionClosedError(undefined, reason, { cause });
    this.closedError = err;
    // Commands still waiting at a gate see the closed queue when they get their turn.
    this.requests.close(err, cause);
    this.hub.close(err);
    this.resolveClosed(err);
  }
}

function describeThrown(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function positiveInteger(option: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value <= 0) {
    throw new QmpArgumentError(option, `must be a positive integer, got ${String(value)}`);
  }
  return value;
}
