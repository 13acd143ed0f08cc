import { createConnection, type Socket } from 'node:net';
import {
  HybridAckTimeoutError,
  HybridAckTooLongError,
  HybridBadAckError,
  HybridConnectionClosedError,
  HybridSocketNotFoundError,
  VsockAbortError,
} from '../errors.js';
import { validatePort } from '../native/validate.js';
import { encodeConnect, MAX_ACK_LENGTH, parseAck } from './protocol.js';
import { readHandshakeLine } from './read-line.js';

export interface HybridConnectOptions {
  /** How long to wait for `OK <hostport>` (default 10,000 ms). */
  timeout?: number;
  signal?: AbortSignal;
}

/** A Unix socket past the handshake: a plain `net.Socket` to the guest's `port`. */
export type HybridSocket = Socket & { readonly guestPort: number; readonly hostPort: number };

const DEFAULT_ACK_TIMEOUT = 10_000;

/**
 * Connects to a guest's vsock `port` through the muxer listening on `udsPath`
 * (Firecracker's `uds_path`, cloud-hypervisor's `--vsock socket=`). Resolves after the
 * acknowledgement with a socket whose first byte is the guest's first byte.
 */
export function connectHybrid(
  udsPath: string,
  port: number,
  options: HybridConnectOptions = {},
): Promise<HybridSocket> {
  validatePort(port, 'port');
  const timeout = options.timeout ?? DEFAULT_ACK_TIMEOUT;
  return new Promise((resolve, reject) => {
    const socket = createConnection(udsPath);
    let connected = false;
    let done = false;
    const finish = (error: Error | undefined) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      stopReading();
      socket.off('error', onError).off('close', onClose).off('connect', onConnect);
      if (error) {
        socket.destroy();
        reject(error);
      }
    };
    const onAbort = () =>
      finish(new VsockAbortError(`connect hybrid:${udsPath}:${port}`, options.signal?.reason));
    const onConnect = () => {
      connected = true;
      socket.write(encodeConnect(port));
    };
    const onError = (error: NodeJS.ErrnoException) => {
      if (!connected && (error.code === 'ENOENT' || error.code === 'ECONNREFUSED')) {
        finish(new HybridSocketNotFoundError(udsPath, port, error));
      } else if (connected) finish(new HybridConnectionClosedError(udsPath, port));
      else finish(error);
    };
    const onClose = () => finish(new HybridConnectionClosedError(udsPath, port));
    const stopReading = readHandshakeLine(socket, MAX_ACK_LENGTH, (result) => {
      if (result.state === 'too-long') {
        finish(
          new HybridAckTooLongError(
            udsPath,
            port,
            MAX_ACK_LENGTH,
            result.buffered.toString('latin1'),
          ),
        );
        return;
      }
      const hostPort = parseAck(result.line);
      if (hostPort === undefined) {
        finish(new HybridBadAckError(udsPath, port, result.line));
        return;
      }
      finish(undefined);
      // Give back whatever followed the acknowledgement: the guest's first bytes.
      if (result.rest.length > 0) socket.unshift(result.rest);
      resolve(Object.assign(socket, { guestPort: port, hostPort }));
    });
    const timer = setTimeout(
      () => finish(new HybridAckTimeoutError(udsPath, port, timeout)),
      timeout,
    );
    if (options.signal?.aborted) {
      onAbort();
      return;
    }
    options.signal?.addEventListener('abort', onAbort, { once: true });
    socket.on('connect', onConnect).on('error', onError).on('close', onClose);
  });
}
