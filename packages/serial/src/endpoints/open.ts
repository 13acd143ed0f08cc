import { stat } from 'node:fs/promises';
import type { Duplex } from 'node:stream';
import { openCharDevice } from './char-device.js';

export { openVirtioSerialGuest } from './char-device.js';

import { openFailure } from './errors-map.js';
import { followFile } from './followed-file.js';
import { openSerialPort } from './serial-port.js';
import { connectTcp, connectUnix, listenTcp, listenUnix } from './socket.js';
import { type EndpointSpec, formatEndpoint, parseEndpoint } from './spec.js';

export interface OpenEndpointOptions {
  /** For sockets: keep retrying this many ms while nobody listens yet. */
  retryFor?: number;
  signal?: AbortSignal;
}

/**
 * Opens any endpoint as a Duplex. Listening kinds wait for the first connection and stop
 * listening after it. A bare path is a Unix socket if it is one, else a followed file.
 */
export async function openEndpoint(
  endpoint: EndpointSpec | string,
  options: OpenEndpointOptions = {},
): Promise<Duplex> {
  const spec = typeof endpoint === 'string' ? parseEndpoint(endpoint) : endpoint;
  switch (spec.kind) {
    case 'serial':
      return openSerialPort(spec.path, spec);
    case 'unix':
      return connectUnix(spec.path, options);
    case 'tcp':
      return connectTcp(spec.host, spec.port, options);
    case 'unix-listen':
    case 'tcp-listen': {
      const listener =
        spec.kind === 'unix-listen'
          ? await listenUnix(spec.path)
          : await listenTcp(spec.host, spec.port);
      try {
        return await listener.accept();
      } finally {
        await listener.close();
      }
    }
    case 'file':
      return followFile(spec.path);
    case 'device':
      return openCharDevice(spec.path);
    case 'path': {
      const info = await stat(spec.path).catch((error: unknown) => {
        throw openFailure(formatEndpoint(spec), error);
      });
      if (info.isSocket()) return connectUnix(spec.path, options);
      if (info.isCharacterDevice()) return openSerialPort(spec.path);
      return followFile(spec.path);
    }
  }
}

/** The host side of a virtio-serial port: QEMU's Unix-socket chardev behind `virtserialport`. */
export function openVirtioSerialHost(socketPath: string, options: OpenEndpointOptions = {}) {
  return connectUnix(socketPath, options);
}
