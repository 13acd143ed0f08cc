import { InvalidEndpointError } from '../errors.js';
import type { FlowControl } from './serial-port.js';

/** Where a console lives. Parse one from text with `parseEndpoint`; open it with `openEndpoint`. */
export type EndpointSpec =
  | { kind: 'serial'; path: string; baudRate?: number; flowControl?: FlowControl }
  | { kind: 'unix'; path: string }
  | { kind: 'unix-listen'; path: string }
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'tcp-listen'; host: string; port: number }
  | { kind: 'file'; path: string }
  | { kind: 'device'; path: string }
  /** A bare path that is not under /dev: a socket or a log file, decided when opening. */
  | { kind: 'path'; path: string };

const USAGE =
  'use unix:PATH, unix-listen:PATH, tcp:HOST:PORT, tcp-listen:HOST:PORT, serial:PATH[,baud=N][,flow=rtscts|xonxoff|none], pty:PATH, file:PATH, device:PATH, or a path';

/**
 * Parses an endpoint as typed on a command line: `unix:/run/vm.sock`, `tcp:127.0.0.1:4555`,
 * `serial:/dev/ttyUSB0,baud=9600`, `pty:/dev/pts/3`, `file:/var/log/vm.log` (followed),
 * `device:/dev/virtio-ports/agent`, or a bare path (`/dev/...` is a serial device or pty).
 */
export function parseEndpoint(text: string): EndpointSpec {
  const colon = text.indexOf(':');
  const scheme = colon > 0 && !text.startsWith('/') ? text.slice(0, colon) : '';
  const rest = scheme ? text.slice(colon + 1) : text;
  if (!rest) throw new InvalidEndpointError(text, `nothing after "${scheme}:"; ${USAGE}`);
  switch (scheme) {
    case '':
      if (rest.startsWith('/dev/virtio-ports/')) return { kind: 'device', path: rest };
      if (rest.startsWith('/dev/')) return serial(text, rest);
      return { kind: 'path', path: rest };
    case 'unix':
      return { kind: 'unix', path: rest };
    case 'unix-listen':
      return { kind: 'unix-listen', path: rest };
    case 'tcp':
    case 'tcp-listen': {
      const { host, port } = hostPort(text, rest);
      return { kind: scheme, host, port };
    }
    case 'serial':
    case 'pty':
      return serial(text, rest);
    case 'file':
      return { kind: 'file', path: rest };
    case 'device':
      return { kind: 'device', path: rest };
    default:
      throw new InvalidEndpointError(text, `unknown scheme "${scheme}"; ${USAGE}`);
  }
}

function serial(text: string, rest: string): EndpointSpec {
  const [path = '', ...options] = rest.split(',');
  const spec: { kind: 'serial'; path: string; baudRate?: number; flowControl?: FlowControl } = {
    kind: 'serial',
    path,
  };
  for (const option of options) {
    const [key, value = ''] = option.split('=');
    if (key === 'baud' && /^\d+$/.test(value)) spec.baudRate = Number(value);
    else if (key === 'flow' && (value === 'none' || value === 'rtscts' || value === 'xonxoff'))
      spec.flowControl = value;
    else throw new InvalidEndpointError(text, `bad serial option "${option}"; ${USAGE}`);
  }
  return spec;
}

function hostPort(text: string, rest: string): { host: string; port: number } {
  // `[::1]:4555` or `host:4555`.
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(rest);
  const port = Number(match?.[3]);
  if (!match || port < 1 || port > 65535)
    throw new InvalidEndpointError(text, `expected HOST:PORT with a port 1-65535; ${USAGE}`);
  return { host: match[1] ?? match[2] ?? '', port };
}

/**
 * Turns the `filename` QEMU reports for a chardev in QMP `query-chardev` into an endpoint:
 * `pty:/dev/pts/3`, `unix:/run/c.sock,server=on`, `tcp:127.0.0.1:4555,server=on <-> ...`,
 * `disconnected:unix:...`. A chardev where QEMU is the server is connected to; one where QEMU
 * is the client must be listened on.
 */
export function endpointFromChardevFilename(filename: string): EndpointSpec {
  const bare = filename.replace(/^disconnected:/, '').replace(/ <-> .*$/, '');
  const [head = '', ...options] = bare.split(',');
  const isServer = options.some((o) => o === 'server' || o === 'server=on');
  if (head.startsWith('pty:')) return { kind: 'serial', path: head.slice(4) };
  if (head.startsWith('unix:')) {
    const path = head.slice(5);
    return isServer ? { kind: 'unix', path } : { kind: 'unix-listen', path };
  }
  if (head.startsWith('tcp:')) {
    const { host, port } = hostPort(filename, head.slice(4));
    return isServer ? { kind: 'tcp', host, port } : { kind: 'tcp-listen', host, port };
  }
  throw new InvalidEndpointError(
    filename,
    'this chardev is not a pty, Unix socket or TCP socket; only those can be opened',
  );
}

/** The endpoint as text, the inverse of `parseEndpoint`. */
export function formatEndpoint(spec: EndpointSpec): string {
  switch (spec.kind) {
    case 'serial': {
      const options = [
        spec.baudRate ? `baud=${spec.baudRate}` : '',
        spec.flowControl ? `flow=${spec.flowControl}` : '',
      ].filter(Boolean);
      return [`serial:${spec.path}`, ...options].join(',');
    }
    case 'tcp':
    case 'tcp-listen':
      return `${spec.kind}:${spec.host.includes(':') ? `[${spec.host}]` : spec.host}:${spec.port}`;
    case 'path':
      return spec.path;
    default:
      return `${spec.kind}:${spec.path}`;
  }
}
