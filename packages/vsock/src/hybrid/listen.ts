import { unlink } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { validatePort } from '../native/validate.js';
import { guestListenPath } from './protocol.js';

export interface HybridListenOptions {
  /** Remove a stale `<udsPath>_<port>` socket file first (default true). */
  replaceStale?: boolean;
  /** Keep accepted connections writable after the peer ends (default false, as in node:net). */
  allowHalfOpen?: boolean;
}

/**
 * Accepts guest-initiated connections to host `port`: the muxer connects to the Unix socket
 * `<udsPath>_<port>` for each one, with no handshake, so this is a plain `net.Server` there.
 */
export async function listenHybrid(
  udsPath: string,
  port: number,
  onConnection?: (socket: Socket) => void,
  options: HybridListenOptions = {},
): Promise<Server> {
  validatePort(port, 'port');
  const path = guestListenPath(udsPath, port);
  if (options.replaceStale ?? true) await unlink(path).catch(() => undefined);
  const server = createServer({ allowHalfOpen: options.allowHalfOpen ?? false }, onConnection);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}
