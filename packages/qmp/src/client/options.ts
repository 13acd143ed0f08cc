import type { QmpError } from '../errors.js';
import type { QmpEventMessage } from '../protocol/messages.js';
import type { ConnectRetryOptions } from '../transport/connect.js';

export interface QmpClientOptions {
  /** Default per-command timeout in ms (none by default: QEMU commands may legitimately block). */
  commandTimeout?: number;
  /** How long to wait for the greeting and capability negotiation (ms). Default 10 000. */
  greetingTimeout?: number;
  /** Negotiate OOB when QEMU offers it. Default true. */
  oob?: boolean;
  /** Events kept by `eventHistory()`. Default 1000. */
  historySize?: number;
  /**
   * Most in-band commands on the wire at once. QEMU stops reading the socket while 8 in-band
   * requests are queued when OOB is on, which would stall OOB commands behind them; so the
   * default is 7 with OOB and unlimited without.
   */
  maxInFlight?: number;
  /** Most OOB commands on the wire at once (default 8); further ones wait their turn. */
  maxOobInFlight?: number;
  /**
   * Longest line (one QMP message) accepted from the peer, in bytes. Default 16 MiB. Past it
   * the connection is closed and commands in flight reject with `QmpLimitError`.
   */
  maxLineBytes?: number;
  /**
   * Deepest nesting of arrays/objects accepted in one message. Default 1024 (QEMU's own
   * limit). Past it the connection is closed and commands in flight reject with `QmpLimitError`.
   */
  maxDepth?: number;
  /**
   * Called with protocol errors that belong to no command (bad JSON, unknown reply id) and with
   * the `QmpLimitError` that closes the connection. A throw from it becomes a process warning.
   */
  onProtocolError?: (error: QmpError) => void;
  /** Called when an event listener throws (default: a process warning). */
  onListenerError?: (error: unknown, event: QmpEventMessage) => void;
}

export interface QmpConnectOptions extends QmpClientOptions {
  /** Retry while the socket is missing or refused (QEMU still starting). */
  retry?: ConnectRetryOptions;
}
