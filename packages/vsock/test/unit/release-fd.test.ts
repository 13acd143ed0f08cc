import { describe, expect, it } from 'vitest';
import { VsockSocket, VsockStateError } from '../../src/index.js';
import { type ReleaseSnapshot, releaseRefusal } from '../../src/native/release.js';

// Connected sockets are exercised in the guest suite (test/guest/native-suite.ts); here only
// the decision, and sockets that never open an AF_VSOCK fd on the build machine.

const ready: ReleaseSnapshot = {
  destroyed: false,
  connected: true,
  readableLength: 0,
  writableLength: 0,
  where: 'vsock:1:5640',
};

describe('releaseRefusal', () => {
  it('lets a connected socket with nothing buffered go', () => {
    expect(releaseRefusal(ready)).toBeUndefined();
  });

  it.each([
    [{ destroyed: true }, 'destroyed', /vsock:1:5640: the socket is destroyed/],
    [{ connected: false }, 'not-connected', /not connected/],
    [{ readableLength: 12 }, 'buffered-data', /12 bytes already read .* would be lost/],
    [{ writableLength: 3 }, 'pending-write', /3 written bytes are not sent yet/],
    // Destroyed wins over the rest: there is nothing left to hand over.
    [{ destroyed: true, readableLength: 5 }, 'destroyed', /destroyed/],
  ] as const)('%j is refused as %s', (change, state, message) => {
    const error = releaseRefusal({ ...ready, ...change });
    expect(error).toBeInstanceOf(VsockStateError);
    expect(error?.code).toBe('ERR_VSOCK_STATE');
    expect(error?.state).toBe(state);
    expect(error?.message).toMatch(message);
  });
});

describe('VsockSocket.releaseFd without a connection', () => {
  it('refuses a socket that never connected', () => {
    const socket = new VsockSocket();
    expect(() => socket.releaseFd()).toThrow(VsockStateError);
    expect(() => socket.releaseFd()).toThrow(/not connected/);
    socket.destroy();
  });

  it('refuses a destroyed socket', () => {
    const socket = new VsockSocket();
    socket.destroy();
    let caught: unknown;
    try {
      socket.releaseFd();
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(VsockStateError);
    expect((caught as VsockStateError).state).toBe('destroyed');
  });
});
