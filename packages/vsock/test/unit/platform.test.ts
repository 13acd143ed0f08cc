import { afterEach, describe, expect, it } from 'vitest';
import {
  assertVsockSupported,
  connect,
  createServer,
  isVsockSupported,
  localCid,
  VsockInvalidArgumentError,
  VsockUnsupportedError,
} from '../../src/index.js';

const realPlatform = Object.getOwnPropertyDescriptor(process, 'platform')!;

describe('non-Linux platforms', () => {
  afterEach(() => {
    Object.defineProperty(process, 'platform', realPlatform);
  });

  it('imports cleanly and says vsock is Linux only', () => {
    expect(isVsockSupported('linux')).toBe(true);
    expect(isVsockSupported('darwin')).toBe(false);
    expect(() => assertVsockSupported('win32')).toThrow(/vsock is only supported on Linux/);
  });

  it('every native call throws VsockUnsupportedError off Linux', () => {
    Object.defineProperty(process, 'platform', { ...realPlatform, value: 'darwin' });
    for (const call of [
      () => connect({ cid: 1, port: 1 }),
      () => createServer(),
      () => localCid(),
    ]) {
      let caught: unknown;
      try {
        call();
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(VsockUnsupportedError);
      expect((caught as VsockUnsupportedError).code).toBe('ERR_VSOCK_UNSUPPORTED');
      expect((caught as Error).message).toBe('vsock is only supported on Linux (this is darwin)');
    }
  });
});

describe('argument validation (before any socket is made)', () => {
  it.each([
    [{ cid: -1, port: 1 }, /cid: a CID must be an integer/],
    [{ cid: 1.5, port: 1 }, /cid: a CID must be an integer/],
    [{ cid: 1, port: 2 ** 32 }, /port: a port must be an integer/],
  ])('connect(%j) throws a typed error', (options, message) => {
    expect(() => connect(options)).toThrow(VsockInvalidArgumentError);
    expect(() => connect(options)).toThrow(message);
  });

  it('rejects a bad allowCids entry', () => {
    expect(() => createServer({ allowCids: [3, -2] })).toThrow(/allowCids\[1\]/);
  });
});

describe('connect timeout validation', () => {
  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('timeout %s is refused', (timeout) => {
    expect(() => connect({ cid: 1, port: 1, timeout })).toThrow(/timeout: must be a number of ms/);
  });
});
