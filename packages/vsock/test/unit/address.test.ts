import { describe, expect, it } from 'vitest';
import { type Address, AddressError, formatAddress, parseAddress } from '../../src/index.js';

const valid: [string, Address][] = [
  ['vsock:3:1024', { kind: 'vsock', cid: 3, port: 1024 }],
  ['vsock:1:4294967295', { kind: 'vsock', cid: 1, port: 4294967295 }],
  ['hybrid:/run/fc/v.sock:52', { kind: 'hybrid', path: '/run/fc/v.sock', port: 52 }],
  ['hybrid:/tmp/a:b.sock:7', { kind: 'hybrid', path: '/tmp/a:b.sock', port: 7 }],
  ['unix:/run/agent.sock', { kind: 'unix', path: '/run/agent.sock' }],
  ['unix:relative/x.sock', { kind: 'unix', path: 'relative/x.sock' }],
  ['tcp:127.0.0.1:5000', { kind: 'tcp', host: '127.0.0.1', port: 5000 }],
  ['tcp:localhost:0', { kind: 'tcp', host: 'localhost', port: 0 }],
  ['tcp:[::1]:22', { kind: 'tcp', host: '::1', port: 22 }],
];

describe('parseAddress / formatAddress', () => {
  it.each(valid)('parses %s and formats it back', (text, address) => {
    expect(parseAddress(text)).toEqual(address);
    expect(formatAddress(address)).toBe(text);
  });

  const invalid: [string, RegExp][] = [
    ['', /expected one of vsock:CID:PORT/],
    ['vsock', /expected one of/],
    ['http://x', /expected one of/],
    ['vsock:3', /expected vsock:CID:PORT/],
    ['vsock:x:1', /CID "x" is not a number/],
    ['vsock:3:-1', /port "-1" is not a number/],
    ['vsock:3:4294967296', /port 4294967296 is out of range/],
    ['vsock:99999999999:1', /CID 99999999999 is out of range/],
    ['hybrid::5', /Unix socket path is empty/],
    ['hybrid:/x', /expected hybrid:\/path\/to\/uds:PORT/],
    ['unix:', /Unix socket path is empty/],
    ['tcp:host', /expected tcp:host:port/],
    ['tcp::80', /the host is empty/],
    ['tcp:1.2.3.4:65536', /out of range 0..65535/],
    ['tcp:::1:80', /IPv6 hosts in brackets/],
  ];
  it.each(invalid)('rejects %j with a typed error naming it', (text, message) => {
    let caught: unknown;
    try {
      parseAddress(text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AddressError);
    const error = caught as AddressError;
    expect(error.code).toBe('ERR_VSOCK_INVALID_ADDRESS');
    expect(error.address).toBe(text);
    expect(error.message).toMatch(message);
    expect(error.message).toContain(`"${text}"`);
  });
});
