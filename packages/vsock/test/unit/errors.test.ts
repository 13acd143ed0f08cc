import { describe, expect, it } from 'vitest';
import {
  AddressError,
  HybridAckTimeoutError,
  HybridBadAckError,
  HybridConnectionClosedError,
  HybridError,
  HybridSocketNotFoundError,
  VsockAbortError,
  VsockAddonError,
  VsockError,
  VsockInvalidArgumentError,
  VsockStateError,
  VsockSystemError,
  VsockUnsupportedError,
} from '../../src/index.js';
import { socketError, systemError } from '../../src/native/system-error.js';

const cause = new Error('root cause');

describe('error classes', () => {
  it.each([
    [new VsockUnsupportedError('darwin'), 'ERR_VSOCK_UNSUPPORTED', 'VsockUnsupportedError'],
    [new VsockAddonError('x', { cause }), 'ERR_VSOCK_ADDON', 'VsockAddonError'],
    [
      new VsockInvalidArgumentError('port', 'bad'),
      'ERR_VSOCK_INVALID_ARGUMENT',
      'VsockInvalidArgumentError',
    ],
    [new AddressError('x', 'bad'), 'ERR_VSOCK_INVALID_ADDRESS', 'AddressError'],
    [
      new HybridSocketNotFoundError('/s', 1, cause),
      'ERR_HYBRID_SOCKET_NOT_FOUND',
      'HybridSocketNotFoundError',
    ],
    [
      new HybridConnectionClosedError('/s', 1),
      'ERR_HYBRID_CONNECTION_CLOSED',
      'HybridConnectionClosedError',
    ],
    [new HybridBadAckError('/s', 1, 'NO'), 'ERR_HYBRID_BAD_ACK', 'HybridBadAckError'],
    [new HybridAckTimeoutError('/s', 1, 5), 'ERR_HYBRID_ACK_TIMEOUT', 'HybridAckTimeoutError'],
    [new VsockAbortError('connect vsock:1:2', cause), 'ABORT_ERR', 'AbortError'],
    [new VsockStateError('destroyed', 'x'), 'ERR_VSOCK_STATE', 'VsockStateError'],
  ])('%s has a stable code and name, and is a VsockError', (error, code, name) => {
    expect(error).toBeInstanceOf(VsockError);
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe(code);
    expect(error.name).toBe(name);
  });

  it('hybrid errors name the socket and port and keep their cause', () => {
    const error = new HybridSocketNotFoundError('/run/v.sock', 52, cause);
    expect(error).toBeInstanceOf(HybridError);
    expect(error.message).toMatch(/^hybrid:\/run\/v.sock:52: /);
    expect(error.cause).toBe(cause);
    expect(error.path).toBe('/run/v.sock');
    expect(error.port).toBe(52);
  });
});

describe('system errors are Node-style', () => {
  it('names the errno, syscall, CID and port', () => {
    const error = systemError(-111, 'connect', 3, 1024);
    expect(error).toBeInstanceOf(VsockSystemError);
    expect(error.code).toBe('ECONNREFUSED');
    expect(error.errno).toBe(-111);
    expect(error.syscall).toBe('connect');
    expect(error.cid).toBe(3);
    expect(error.port).toBe(1024);
    expect(error.message).toBe('connect ECONNREFUSED vsock:3:1024 (connection refused)');
  });

  it.each([
    [-110, 'ETIMEDOUT'],
    [-19, 'ENODEV'],
    [-104, 'ECONNRESET'],
    [-98, 'EADDRINUSE'],
  ])('errno %i is %s', (errno, code) => {
    expect(systemError(errno, 'connect', 1, 2).code).toBe(code);
  });

  it('socket() without vsock in the kernel (EAFNOSUPPORT) is reported as ENODEV', () => {
    const error = socketError(-97, 1, 5);
    expect(error.code).toBe('ENODEV');
    expect(error.message).toMatch(/no vsock in this kernel/);
    expect(socketError(-24).code).toBe('EMFILE');
  });
});
