import { createConnection, type Socket } from 'node:net';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { LibvirtConnectError, LibvirtUnsupportedError } from '../errors.js';
import type { LibvirtUri } from './uri.js';

/** Where libvirtd listens for `qemu:///system` (Debian's monolithic daemon). */
export const SYSTEM_SOCKET = '/var/run/libvirt/libvirt-sock';
/** libvirtd's TCP port (`qemu+tcp://`, `listen_tcp = 1`). */
export const DEFAULT_TCP_PORT = 16509;

/**
 * The socket a `unix` URI means: `?socket=` when given, the system daemon's socket for
 * `/system`, the per-user daemon's (`$XDG_RUNTIME_DIR/libvirt/libvirt-sock`, or
 * `~/.cache/libvirt/libvirt-sock`) for `/session`.
 */
export function unixSocketPath(uri: LibvirtUri, env: NodeJS.ProcessEnv = process.env): string {
  const explicit = uri.query.get('socket');
  if (explicit) return explicit;
  if (uri.path === '/session') {
    const runtime = env.XDG_RUNTIME_DIR ?? (env.HOME ? join(env.HOME, '.cache') : undefined);
    if (!runtime) throw new LibvirtConnectError(uri.uri, 'neither XDG_RUNTIME_DIR nor HOME is set');
    return join(runtime, 'libvirt', 'libvirt-sock');
  }
  return SYSTEM_SOCKET;
}

function connected(uri: string, socket: Socket, where: string, timeoutMs: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new LibvirtConnectError(uri, `${where}: no connection after ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        new LibvirtConnectError(uri, `${where}: ${error.code ?? error.message}`, { cause: error }),
      );
    });
  });
}

/** Opens the byte stream a URI names (unix or tcp); other transports are refused, named. */
export function openTransport(uri: LibvirtUri, timeoutMs = 10_000): Promise<Duplex> {
  switch (uri.transport) {
    case 'unix': {
      const path = unixSocketPath(uri);
      return connected(uri.uri, createConnection({ path }), path, timeoutMs);
    }
    case 'tcp': {
      const host = uri.host ?? 'localhost';
      const port = uri.port ?? DEFAULT_TCP_PORT;
      const socket = createConnection({ host, port });
      socket.setNoDelay(true);
      return connected(uri.uri, socket, `${host}:${port}`, timeoutMs);
    }
    default:
      return Promise.reject(
        new LibvirtUnsupportedError(
          `transport "${uri.transport}" of ${uri.uri} is not supported yet (unix and tcp are); pass your own Duplex to LibvirtClient`,
        ),
      );
  }
}
