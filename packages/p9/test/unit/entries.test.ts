import { describe, expect, it } from 'vitest';
import * as root from '../../src/index.js';
import * as protocol from '../../src/protocol/index.js';

describe('entry points', () => {
  it('the root holds what users call and none of the protocol internals', () => {
    for (const name of ['createServer', 'LocalFs', 'MemFs', 'syntheticFs', 'connect', 'P9Client']) {
      expect(root, name).toHaveProperty(name);
    }
    for (const name of ['fsError', 'FsError', 'Errno', 'Mode', 'OpenFlags', 'DecodeError']) {
      expect(root, name).toHaveProperty(name);
    }
    for (const name of Object.keys(protocol)) expect(root, name).not.toHaveProperty(name);
  });

  it('the protocol subpath holds the codec, framing, lock table and buffer pool', () => {
    expect(Object.keys(protocol).sort()).toEqual(
      [
        'FrameDecoder',
        'FramedStream',
        'GetattrMask',
        'HEADER_SIZE',
        'LockFlags',
        'LockStatus',
        'LockTable',
        'LockType',
        'MAXWELEM',
        'MessageType',
        'NOFID',
        'NONUNAME',
        'NOTAG',
        'Reader',
        'SetattrMask',
        'VERSION_9P2000L',
        'Writer',
        'decodeDirents',
        'decodeMessage',
        'direntSize',
        'encodeDirents',
        'encodeMessage',
        'kindOfType',
        'messageFields',
        'readHeader',
        'releaseReadBuffer',
        'takeReadBuffer',
      ].sort(),
    );
  });
});
