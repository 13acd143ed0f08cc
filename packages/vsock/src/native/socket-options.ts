// The options of VsockSocket and connect(), apart so socket.ts holds only the stream.

export interface VsockSocketOptions {
  /** Keep the writable side open after the peer ends (default false, as in `node:net`). */
  allowHalfOpen?: boolean;
  /** Readable/writable buffer size in bytes (default 64 KiB). */
  highWaterMark?: number;
  /**
   * The kernel's receive buffer (SO_VM_SOCKETS_BUFFER_SIZE): how much the peer may send
   * before we read. Default 1 MiB (the kernel's is 256 KiB): fewer wakeups per megabyte.
   */
  bufferSize?: number;
}

export const DEFAULT_BUFFER_SIZE = 1024 * 1024;

export interface VsockConnectOptions extends VsockSocketOptions {
  cid: number;
  port: number;
  /** Give up (`ETIMEDOUT`) when the connection is not established within this many ms. */
  timeout?: number;
  /** Aborts the attempt (`ABORT_ERR`); ignored once connected. */
  signal?: AbortSignal;
  /**
   * Read nothing until the stream is read or given a 'data' listener (as `net.Server`'s
   * option): bytes the peer sends first stay in the kernel, so `releaseFd()` can hand them on.
   */
  pauseOnConnect?: boolean;
}
