import { InvalidAddressError } from './errors.js';

/** Where to listen or connect: `tcp:HOST:PORT` or `unix:PATH`. */
export type P9Address =
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'unix'; path: string };

export function parseAddress(address: string): P9Address {
  if (address.startsWith('unix:')) {
    const path = address.slice(5);
    if (!path) throw new InvalidAddressError(address);
    return { kind: 'unix', path };
  }
  if (address.startsWith('tcp:')) {
    const rest = address.slice(4);
    const colon = rest.lastIndexOf(':');
    if (colon <= 0) throw new InvalidAddressError(address);
    let host = rest.slice(0, colon);
    if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
    const portText = rest.slice(colon + 1);
    const port = Number(portText);
    if (!/^\d+$/.test(portText) || port > 65535) throw new InvalidAddressError(address);
    return { kind: 'tcp', host, port };
  }
  throw new InvalidAddressError(address);
}

export function formatAddress(a: P9Address): string {
  return a.kind === 'unix'
    ? `unix:${a.path}`
    : `tcp:${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}`;
}
