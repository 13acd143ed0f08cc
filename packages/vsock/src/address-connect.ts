import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { type Address, parseAddress } from './address.js';
import { VsockAbortError, VsockSystemError } from './errors.js';
import { connectHybrid } from './hybrid/connect.js';
import { listenHybrid } from './hybrid/listen.js';
import { connectAsync as connectVsock } from './native/connect.js';
import { listen as listenVsock, type VsockServer } from './native/server.js';

export interface AddressConnectOptions {
  /** Give up after this many ms (connect, plus the hybrid acknowledgement). */
  timeout?: number;
  signal?: AbortSignal;
}

/** What `listen(address)` returns: a `net.Server` (unix, tcp, hybrid) or a `VsockServer`. */
export type StreamServer = Server | VsockServer;

/**
 * Connects to any address (`vsock:CID:PORT`, `hybrid:/uds:PORT`, `unix:/path`,
 * `tcp:host:port`) and resolves with the connected stream.
 */
export function connect(
  address: string | Address,
  options: AddressConnectOptions = {},
): Promise<Duplex> {
  const parsed = typeof address === 'string' ? parseAddress(address) : address;
  switch (parsed.kind) {
    case 'vsock':
      return connectVsock({ cid: parsed.cid, port: parsed.port, ...options });
    case 'hybrid':
      return connectHybrid(parsed.path, parsed.port, options);
    case 'unix':
      return connectNet(createConnection(parsed.path), `unix:${parsed.path}`, options);
    case 'tcp':
      return connectNet(
        createConnection(parsed.port, parsed.host),
        `tcp:${parsed.host}:${parsed.port}`,
        options,
      );
  }
}

function connectNet(
  socket: Socket,
  where: string,
  options: AddressConnectOptions,
): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const fail = (error: Error) => {
      cleanup();
      socket.destroy();
      reject(error);
    };
    const onError = (error: Error) => fail(error);
    const onAbort = () => fail(new VsockAbortError(`connect ${where}`, options.signal?.reason));
    const timer =
      options.timeout === undefined
        ? undefined
        : setTimeout(
            () =>
              fail(
                new VsockSystemError(
                  'ETIMEDOUT',
                  -110,
                  'connect',
                  undefined,
                  undefined,
                  `${where} not connected within ${options.timeout} ms`,
                ),
              ),
            options.timeout,
          );
    const cleanup = () => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      socket.off('error', onError);
    };
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('error', onError);
    socket.once('connect', () => {
      cleanup();
      resolve(socket);
    });
  });
}

/**
 * Listens on any address and resolves once listening. For `hybrid:/uds:PORT` this accepts the
 * guest-initiated connections to host `PORT` (the `/uds_PORT` socket); for `vsock:CID:PORT`
 * the CID is the local one to bind (`vsock:4294967295:PORT` for any).
 */
export async function listen(
  address: string | Address,
  onConnection?: (socket: Duplex) => void,
  options: AddressListenOptions = {},
): Promise<StreamServer> {
  const parsed = typeof address === 'string' ? parseAddress(address) : address;
  switch (parsed.kind) {
    case 'vsock':
      return listenVsock({ cid: parsed.cid, port: parsed.port, ...options }, onConnection);
    case 'hybrid':
      return listenHybrid(parsed.path, parsed.port, onConnection, options);
    case 'unix':
      return listenNet(parsed.path, undefined, onConnection, options);
    case 'tcp':
      return listenNet(parsed.port, parsed.host, onConnection, options);
  }
}

export interface AddressListenOptions {
  /** Keep accepted connections writable after the peer ends (default false, as in node:net). */
  allowHalfOpen?: boolean;
}

function listenNet(
  portOrPath: number | string,
  host: string | undefined,
  onConnection: ((socket: Socket) => void) | undefined,
  options: AddressListenOptions,
): Promise<Server> {
  const server = createServer({ allowHalfOpen: options.allowHalfOpen ?? false }, onConnection);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const done = () => {
      server.off('error', reject);
      resolve(server);
    };
    if (typeof portOrPath === 'string') server.listen(portOrPath, done);
    else server.listen(portOrPath, host, done);
  });
}
