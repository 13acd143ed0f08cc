import { VsockSocket } from './socket.js';
import type { VsockConnectOptions } from './socket-options.js';

/** `connect({ cid, port, timeout?, signal? })`: a socket that emits 'connect' or 'error'. */
export function connect(options: VsockConnectOptions, onConnect?: () => void): VsockSocket {
  return new VsockSocket(options).connect(options, onConnect);
}

/** Resolves with the connected socket, or rejects with the connect error. */
export function connectAsync(options: VsockConnectOptions): Promise<VsockSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect(options);
    const onError = (error: Error) => reject(error);
    socket.once('error', onError);
    socket.once('connect', () => {
      socket.off('error', onError);
      resolve(socket);
    });
  });
}
