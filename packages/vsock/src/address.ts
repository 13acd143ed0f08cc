import { AddressError } from './errors.js';

/**
 * One address type for every stream transport the SDK speaks, as users type them:
 * `vsock:CID:PORT`, `hybrid:/path/to/uds:PORT`, `unix:/path`, `tcp:host:port`
 * (IPv6 hosts in brackets: `tcp:[::1]:5000`). Pure: no I/O here.
 */
export type Address =
  | { kind: 'vsock'; cid: number; port: number }
  | { kind: 'hybrid'; path: string; port: number }
  | { kind: 'unix'; path: string }
  | { kind: 'tcp'; host: string; port: number };

export type AddressKind = Address['kind'];

const U32_MAX = 0xffff_ffff;

function parseUint(text: string, max: number, address: string, what: string): number {
  if (!/^[0-9]+$/.test(text)) throw new AddressError(address, `${what} "${text}" is not a number`);
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value > max) {
    throw new AddressError(address, `${what} ${text} is out of range 0..${max}`);
  }
  return value;
}

/** Splits `rest` at its last colon into `[before, after]`. */
function splitLast(rest: string, address: string, expected: string): [string, string] {
  const at = rest.lastIndexOf(':');
  if (at < 0) throw new AddressError(address, `expected ${expected}`);
  return [rest.slice(0, at), rest.slice(at + 1)];
}

export function parseAddress(address: string): Address {
  if (typeof address !== 'string') {
    throw new AddressError(String(address), 'an address is a string such as "vsock:3:1024"');
  }
  const colon = address.indexOf(':');
  const scheme = colon < 0 ? '' : address.slice(0, colon);
  const rest = address.slice(colon + 1);
  switch (scheme) {
    case 'vsock': {
      const [cid, port] = splitLast(rest, address, 'vsock:CID:PORT');
      return {
        kind: 'vsock',
        cid: parseUint(cid, U32_MAX, address, 'CID'),
        port: parseUint(port, U32_MAX, address, 'port'),
      };
    }
    case 'hybrid': {
      const [path, port] = splitLast(rest, address, 'hybrid:/path/to/uds:PORT');
      if (!path) throw new AddressError(address, 'the Unix socket path is empty');
      return { kind: 'hybrid', path, port: parseUint(port, U32_MAX, address, 'port') };
    }
    case 'unix':
      if (!rest) throw new AddressError(address, 'the Unix socket path is empty');
      return { kind: 'unix', path: rest };
    case 'tcp': {
      const [hostPart, port] = splitLast(rest, address, 'tcp:host:port');
      const host =
        hostPart.startsWith('[') && hostPart.endsWith(']') ? hostPart.slice(1, -1) : hostPart;
      if (!host) throw new AddressError(address, 'the host is empty');
      if (host.includes(':') && host === hostPart) {
        throw new AddressError(address, 'write IPv6 hosts in brackets: tcp:[::1]:PORT');
      }
      return { kind: 'tcp', host, port: parseUint(port, 65535, address, 'port') };
    }
    default:
      throw new AddressError(
        address,
        'expected one of vsock:CID:PORT, hybrid:/path:PORT, unix:/path, tcp:host:port',
      );
  }
}

export function formatAddress(address: Address): string {
  switch (address.kind) {
    case 'vsock':
      return `vsock:${address.cid}:${address.port}`;
    case 'hybrid':
      return `hybrid:${address.path}:${address.port}`;
    case 'unix':
      return `unix:${address.path}`;
    case 'tcp':
      return address.host.includes(':')
        ? `tcp:[${address.host}]:${address.port}`
        : `tcp:${address.host}:${address.port}`;
  }
}
