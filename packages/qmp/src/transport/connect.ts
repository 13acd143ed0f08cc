import { createConnection, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { QmpConnectError } from '../errors.js';

/** Where a QMP server listens: a Unix socket path, or a TCP host and port. */
export type QmpAddress = { path: string } | { host?: string; port: number };

export interface ConnectRetryOptions {
  /** Keep retrying refused/missing sockets for this long (ms). QEMU may not be listening yet. */
  timeout: number;
  /** First delay between attempts (ms), doubled up to `maxInterval`. Default 20. */
  interval?: number;
  /** Longest delay between attempts (ms). Default 500. */
  maxInterval?: number;
}

export function describeAddress(address: QmpAddress): string {
  return 'path' in address
    ? `unix:${address.path}`
    : `tcp:${address.host ?? '127.0.0.1'}:${address.port}`;
}

// Errors that mean "not listening yet": the socket file does not exist, or nobody accepts.
const RETRYABLE = new Set(['ENOENT', 'ECONNREFUSED', 'EAGAIN', 'ECONNRESET']);

/** Opens a stream socket to `address`, optionally retrying with backoff while it is not up. */
export async function connectSocket(
  address: QmpAddress,
  retry?: ConnectRetryOptions,
  signal?: AbortSignal,
): Promise<Socket> {
  const deadline = retry ? Date.now() + retry.timeout : 0;
  let delay = retry?.interval ?? 20;
  for (;;) {
    try {
      return await connectOnce(address);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      if (!retry || !RETRYABLE.has(code) || Date.now() + delay > deadline || signal?.aborted) {
        throw new QmpConnectError(describeAddress(address), (err as Error).message, { cause: err });
      }
      await sleep(delay);
      delay = Math.min(delay * 2, retry.maxInterval ?? 500);
    }
  }
}

function connectOnce(address: QmpAddress): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket =
      'path' in address
        ? createConnection({ path: address.path })
        : createConnection({ host: address.host ?? '127.0.0.1', port: address.port });
    const onError = (err: Error) => {
      socket.destroy();
      reject(err);
    };
    socket.once('error', onError);
    socket.once('connect', () => {
      socket.off('error', onError);
      socket.setNoDelay(true);
      resolve(socket);
    });
  });
}
