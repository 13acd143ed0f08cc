import type { Duplex } from 'node:stream';
import {
  LibvirtAbortError,
  LibvirtConnectionClosedError,
  type LibvirtError,
  LibvirtProtocolError,
  LibvirtTimeoutError,
} from '../errors.js';
import { VirNetMessageStatus, VirNetMessageType } from '../generated/virnet.js';
import { PacketDecoder } from '../rpc/decoder.js';
import { isKeepalive, isPing, PONG_PACKET } from '../rpc/keepalive.js';
import { encodePacket, MAX_PACKET_SIZE, type Packet } from '../rpc/packet.js';

export interface RpcCallOptions {
  /** Rejects with `LibvirtAbortError` when it fires; a reply that still comes is dropped. */
  signal?: AbortSignal;
  /** Rejects with `LibvirtTimeoutError` after this many milliseconds (default: no limit). */
  timeoutMs?: number;
}

export interface RpcConnectionOptions {
  /** Largest packet accepted or sent (default and maximum: libvirt's VIR_NET_MESSAGE_MAX + 4). */
  maxPacketSize?: number;
}

interface PendingCall {
  label: string;
  resolve(packet: Packet): void;
  reject(error: LibvirtError): void;
}

/** How many abandoned serials (aborted or timed-out calls) are remembered to drop late replies. */
const ABANDONED_LIMIT = 1024;

/**
 * Runs libvirt RPC calls over any Duplex (a Unix socket, TCP, TLS, an ssh pipe): frames each
 * call with a fresh serial, matches replies to calls by serial so many calls can be in flight
 * at once, answers keepalive PINGs, and hands asynchronous messages (events) to listeners.
 * It knows packets, not procedures: payloads go in and out as XDR bytes.
 *
 * When the stream ends, errors, or sends something that is not libvirt's framing, every call
 * in flight rejects with `LibvirtConnectionClosedError` (the cause kept) and the stream is
 * destroyed; later calls reject the same way.
 */
export class RpcConnection {
  private readonly decoder: PacketDecoder;
  private readonly pending = new Map<number, PendingCall>();
  private readonly abandoned = new Set<number>();
  private readonly messageListeners = new Set<(packet: Packet) => void>();
  private nextSerial = 1;
  private closeError: LibvirtConnectionClosedError | undefined;
  private readonly closedWaiters: Array<(error: LibvirtConnectionClosedError) => void> = [];
  readonly maxPacketSize: number;

  constructor(
    private readonly stream: Duplex,
    options: RpcConnectionOptions = {},
  ) {
    this.maxPacketSize = options.maxPacketSize ?? MAX_PACKET_SIZE;
    this.decoder = new PacketDecoder(this.maxPacketSize);
    stream.on('data', (chunk: Buffer) => this.onData(chunk));
    stream.on('error', (error) => this.shutdown(`stream error: ${error.message}`, error));
    stream.on('end', () => this.shutdown('the peer closed the connection'));
    stream.on('close', () => this.shutdown('the connection was closed'));
  }

  /** True once the connection is closed (by either side or an error). */
  get closed(): boolean {
    return this.closeError !== undefined;
  }

  /** Calls in flight. */
  get inFlight(): number {
    return this.pending.size;
  }

  /** Resolves (never rejects) with the reason once the connection is closed. */
  whenClosed(): Promise<LibvirtConnectionClosedError> {
    if (this.closeError) return Promise.resolve(this.closeError);
    return new Promise((resolve) => this.closedWaiters.push(resolve));
  }

  /**
   * Listens to messages the peer sends on its own (events: type VIR_NET_MESSAGE, any program
   * but keepalive). Returns a function that removes the listener. A listener that throws is
   * isolated from the connection and from other listeners.
   */
  onMessage(listener: (packet: Packet) => void): () => void {
    this.messageListeners.add(listener);
    return () => this.messageListeners.delete(listener);
  }

  /**
   * Sends a call and resolves with the reply packet (status OK or ERROR: decoding the payload
   * is the caller's job). `label` names the call in errors.
   */
  call(
    program: number,
    version: number,
    procedure: number,
    payload: Uint8Array,
    label: string,
    options: RpcCallOptions = {},
  ): Promise<Packet> {
    if (this.closeError) {
      return Promise.reject(
        new LibvirtConnectionClosedError(label, this.closeError.reason, { cause: this.closeError }),
      );
    }
    const { signal, timeoutMs } = options;
    if (signal?.aborted) return Promise.reject(new LibvirtAbortError(label, signal.reason));
    const serial = this.allocateSerial();
    let packet: Buffer;
    try {
      packet = encodePacket(
        {
          program,
          version,
          procedure,
          type: VirNetMessageType.VIR_NET_CALL,
          serial,
          status: VirNetMessageStatus.VIR_NET_OK,
        },
        payload,
        this.maxPacketSize,
      );
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<Packet>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const onAbort = () => abandon(new LibvirtAbortError(label, signal?.reason));
      const cleanup = () => {
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const abandon = (error: LibvirtError) => {
        if (!this.pending.delete(serial)) return;
        this.rememberAbandoned(serial);
        cleanup();
        reject(error);
      };
      this.pending.set(serial, {
        label,
        resolve: (reply) => {
          cleanup();
          resolve(reply);
        },
        reject: (error) => {
          cleanup();
          reject(error);
        },
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => abandon(new LibvirtTimeoutError(label, timeoutMs)), timeoutMs);
      }
      this.stream.write(packet);
    });
  }

  /** Closes the stream; calls in flight reject with `LibvirtConnectionClosedError`. */
  close(reason = 'close() was called'): Promise<void> {
    this.shutdown(reason);
    return new Promise((resolve) => {
      if (this.stream.destroyed) resolve();
      else this.stream.once('close', () => resolve());
    });
  }

  private allocateSerial(): number {
    // Serials are 32-bit and wrap; skip any still in use (or whose late reply is expected).
    for (;;) {
      const serial = this.nextSerial;
      this.nextSerial = this.nextSerial === 0xffff_ffff ? 1 : this.nextSerial + 1;
      if (!this.pending.has(serial) && !this.abandoned.has(serial)) return serial;
    }
  }

  private rememberAbandoned(serial: number): void {
    this.abandoned.add(serial);
    if (this.abandoned.size > ABANDONED_LIMIT) {
      const oldest = this.abandoned.values().next().value;
      if (oldest !== undefined) this.abandoned.delete(oldest);
    }
  }

  private onData(chunk: Buffer): void {
    if (this.closeError) return;
    let packets: Packet[];
    try {
      packets = this.decoder.push(chunk);
    } catch (error) {
      this.shutdown(`protocol error: ${(error as Error).message}`, error);
      return;
    }
    for (const packet of packets) {
      if (this.closeError) return;
      this.dispatch(packet);
    }
  }

  private dispatch(packet: Packet): void {
    const { header } = packet;
    if (isKeepalive(header)) {
      if (isPing(header)) this.stream.write(PONG_PACKET);
      return;
    }
    switch (header.type) {
      case VirNetMessageType.VIR_NET_REPLY:
      case VirNetMessageType.VIR_NET_REPLY_WITH_FDS: {
        const call = this.pending.get(header.serial);
        if (!call) {
          if (this.abandoned.delete(header.serial)) return;
          this.shutdown(
            'protocol error',
            new LibvirtProtocolError(
              `reply with serial ${header.serial}, which matches no call in flight`,
            ),
          );
          return;
        }
        this.pending.delete(header.serial);
        call.resolve(packet);
        return;
      }
      case VirNetMessageType.VIR_NET_MESSAGE:
        for (const listener of this.messageListeners) {
          try {
            listener(packet);
          } catch {
            // A listener's bug must not take the connection (or other listeners) down.
          }
        }
        return;
      default:
        // Stream packets belong to streams this client has not opened (streams: not yet);
        // calls from the daemon are not part of the protocol. Neither harms the connection.
        return;
    }
  }

  private shutdown(reason: string, cause?: unknown): void {
    if (this.closeError) return;
    const detail = cause instanceof LibvirtProtocolError ? `${reason}: ${cause.message}` : reason;
    this.closeError = new LibvirtConnectionClosedError(
      undefined,
      detail,
      cause === undefined ? undefined : { cause },
    );
    for (const [serial, call] of this.pending) {
      this.pending.delete(serial);
      call.reject(
        new LibvirtConnectionClosedError(call.label, detail, { cause: cause ?? this.closeError }),
      );
    }
    this.messageListeners.clear();
    if (!this.stream.destroyed) this.stream.destroy();
    for (const waiter of this.closedWaiters.splice(0)) waiter(this.closeError);
  }
}
