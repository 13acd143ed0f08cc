import { describe, expect, it } from 'vitest';
import { parseAddress } from '../../src/address.js';
import {
  ConnectionClosedError,
  DecodeError,
  EncodeError,
  FrameError,
  InvalidAddressError,
  InvalidOptionError,
  P9Error,
  RemoteError,
} from '../../src/errors.js';
import { Errno, errnoOf, FsError, fsError } from '../../src/protocol/errno.js';
import { LockTable, lockRange, MAX_END } from '../../src/server/locks.js';

describe('errors', () => {
  const table: [P9Error, string, string][] = [
    [new DecodeError('bad', 9, 110), 'DECODE', 'DecodeError'],
    [new EncodeError('bad', 'Tclunk.fid'), 'ENCODE', 'EncodeError'],
    [new FrameError('bad', 3), 'FRAME', 'FrameError'],
    [new RemoteError(2, 'ENOENT', 'Twalk'), 'REMOTE', 'RemoteError'],
    [new ConnectionClosedError(), 'CONNECTION_CLOSED', 'ConnectionClosedError'],
    [new InvalidOptionError('maxFids', 'must be positive'), 'INVALID_OPTION', 'InvalidOptionError'],
    [new InvalidAddressError('ftp:x'), 'INVALID_ADDRESS', 'InvalidAddressError'],
  ];
  for (const [err, code, name] of table) {
    it(`${name} has code ${code} and is a P9Error`, () => {
      expect(err).toBeInstanceOf(P9Error);
      expect(err.code).toBe(code);
      expect(err.name).toBe(name);
    });
  }
  it('keeps wire fields', () => {
    expect(new DecodeError('x', 9, 110)).toMatchObject({ offset: 9, messageType: 110 });
    expect(new RemoteError(2, 'ENOENT', 'Twalk')).toMatchObject({ errno: 2, request: 'Twalk' });
  });
  it('maps thrown values to errno', () => {
    expect(errnoOf(fsError('ENOTEMPTY'))).toBe(Errno.ENOTEMPTY);
    expect(errnoOf(new FsError(99))).toBe(99);
    expect(errnoOf(Object.assign(new Error('x'), { code: 'EACCES' }))).toBe(Errno.EACCES);
    expect(errnoOf(new Error('plain'))).toBe(Errno.EIO);
  });
  it('parses addresses or names the bad one', () => {
    expect(parseAddress('tcp:127.0.0.1:5640')).toEqual({
      kind: 'tcp',
      host: '127.0.0.1',
      port: 5640,
    });
    expect(parseAddress('tcp:[::1]:1')).toEqual({ kind: 'tcp', host: '::1', port: 1 });
    expect(parseAddress('unix:/run/a.sock')).toEqual({ kind: 'unix', path: '/run/a.sock' });
    for (const bad of ['tcp:host', 'tcp:h:99999', 'unix:', 'vsock:3:4']) {
      expect(() => parseAddress(bad)).toThrow(InvalidAddressError);
    }
  });
});

describe('LockTable', () => {
  const lock = (owner: string, type: number, start: bigint, length: bigint) => ({
    owner,
    type,
    ...lockRange(start, length),
    procId: 1,
    clientId: owner,
  });
  it('shares read locks and excludes writers', () => {
    const t = new LockTable();
    expect(t.set('f', lock('a', 0, 0n, 0n))).toBe(true);
    expect(t.set('f', lock('b', 0, 5n, 5n))).toBe(true);
    expect(t.set('f', lock('c', 1, 100n, 1n))).toBe(false);
    expect(t.conflict('f', 'c', 1, 0n, MAX_END)?.owner).toBe('a');
  });
  it('upgrades, splits on unlock and merges adjacent ranges of one owner', () => {
    const t = new LockTable();
    t.set('f', lock('a', 1, 0n, 10n));
    t.set('f', lock('a', 1, 10n, 10n));
    expect(t.held('f')).toHaveLength(1);
    t.set('f', lock('a', 2, 5n, 2n));
    expect(t.held('f').map((l) => [l.start, l.end])).toEqual([
      [0n, 4n],
      [7n, 19n],
    ]);
    t.set('f', lock('a', 0, 0n, 20n));
    expect(t.held('f').map((l) => l.type)).toEqual([0]);
  });
  it('releases every lock of a closed connection', () => {
    const t = new LockTable();
    t.set('f', lock('c1/x/1', 1, 0n, 0n));
    t.set('g', lock('c1/x/2', 1, 0n, 10n));
    t.set('g', lock('c2/x/2', 0, 100n, 1n));
    t.releaseOwners('c1/');
    expect(t.held('f')).toHaveLength(0);
    expect(t.held('g').map((l) => l.owner)).toEqual(['c2/x/2']);
  });
});
