import { setTimeout as sleep } from 'node:timers/promises';
import { QmpConnectionClosedError } from '../errors.js';
import type { QmpEventMessage } from '../protocol/messages.js';
import type { QmpAddress } from '../transport/connect.js';
import { QmpClient } from './client.js';
import type { QmpConnectOptions } from './options.js';

export interface ReconnectOptions {
  /** First delay after a drop (ms). Default 100. */
  initialDelay?: number;
  /** Longest delay between attempts (ms). Default 5 000. */
  maxDelay?: number;
}

export type QmpSessionState = 'connected' | 'reconnecting' | 'closed';

/**
 * A QMP connection that comes back: when the socket drops, it reconnects with exponential
 * backoff (QEMU may be restarting, or another client may hold its one-client socket) and
 * re-attaches the listeners registered with `on()`. Commands that were in flight at the drop
 * still reject with `QmpConnectionClosedError`: QMP commands are not safe to replay blindly.
 */
export class QmpSession {
  private currentClient: QmpClient | undefined;
  private waiters: Array<{ resolve: (c: QmpClient) => void; reject: (e: Error) => void }> = [];
  private readonly listeners = new Map<string, Set<(event: QmpEventMessage) => void>>();
  private readonly detachers: Array<() => void> = [];
  private stateValue: QmpSessionState = 'reconnecting';
  private readonly stateListeners = new Set<(state: QmpSessionState) => void>();

  private constructor(
    private readonly address: QmpAddress,
    private readonly options: QmpConnectOptions & { reconnect?: ReconnectOptions },
  ) {}

  /** Connects (honouring `retry` for the first connection) and keeps reconnecting after drops. */
  static async open(
    address: QmpAddress,
    options: QmpConnectOptions & { reconnect?: ReconnectOptions } = {},
  ): Promise<QmpSession> {
    const session = new QmpSession(address, options);
    session.attach(await QmpClient.connect(address, options));
    return session;
  }

  get state(): QmpSessionState {
    return this.stateValue;
  }

  /** The connected client, waiting for a reconnection if one is under way. */
  client(): Promise<QmpClient> {
    if (this.stateValue === 'closed') {
      return Promise.reject(new QmpConnectionClosedError(undefined, 'session closed'));
    }
    if (this.currentClient && !this.currentClient.isClosed) {
      return Promise.resolve(this.currentClient);
    }
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Listens to an event (or `'*'`) on this and every later connection. */
  on(name: string, listener: (event: QmpEventMessage) => void): () => void {
    let set = this.listeners.get(name);
    if (!set) {
      set = new Set();
      this.listeners.set(name, set);
    }
    set.add(listener);
    return () => set.delete(listener);
  }

  onStateChange(listener: (state: QmpSessionState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  async close(): Promise<void> {
    this.setState('closed');
    for (const w of this.waiters.splice(0)) {
      w.reject(new QmpConnectionClosedError(undefined, 'session closed'));
    }
    await this.currentClient?.close();
  }

  private setState(state: QmpSessionState): void {
    if (this.stateValue === state || this.stateValue === 'closed') return;
    this.stateValue = state;
    for (const l of this.stateListeners) l(state);
  }

  private attach(client: QmpClient): void {
    this.currentClient = client;
    for (const off of this.detachers.splice(0)) off();
    this.detachers.push(
      client.on('*', (event) => {
        for (const key of [event.event, '*']) {
          for (const l of this.listeners.get(key) ?? []) l(event as QmpEventMessage);
        }
      }),
    );
    this.setState('connected');
    for (const w of this.waiters.splice(0)) w.resolve(client);
    void client.closed.then(() => this.reconnect());
  }

  // A method, not a field read: the state changes across awaits, which narrowing ignores.
  private isClosed(): boolean {
    return this.stateValue === 'closed';
  }

  private async reconnect(): Promise<void> {
    if (this.isClosed()) return;
    this.setState('reconnecting');
    const { initialDelay = 100, maxDelay = 5_000 } = this.options.reconnect ?? {};
    let delay = initialDelay;
    while (!this.isClosed()) {
      await sleep(delay);
      if (this.isClosed()) return;
      try {
        const client = await QmpClient.connect(this.address, { ...this.options, retry: undefined });
        if (this.isClosed()) {
          await client.close();
          return;
        }
        this.attach(client);
        return;
      } catch {
        delay = Math.min(delay * 2, maxDelay);
      }
    }
  }
}
