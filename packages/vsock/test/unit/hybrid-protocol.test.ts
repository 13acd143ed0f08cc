import { describe, expect, it } from 'vitest';
import { takeLine } from '../../src/hybrid/protocol.js';
import {
  encodeAck,
  encodeConnect,
  guestListenPath,
  parseAck,
  parseConnect,
} from '../../src/index.js';

describe('hybrid handshake codec', () => {
  it('encodes CONNECT and OK exactly as the muxer expects', () => {
    expect(encodeConnect(52).toString('latin1')).toBe('CONNECT 52\n');
    expect(encodeAck(1073741824).toString('latin1')).toBe('OK 1073741824\n');
    expect(guestListenPath('/run/v.sock', 1234)).toBe('/run/v.sock_1234');
  });

  it('parses acknowledgements and refuses anything else', () => {
    expect(parseAck('OK 1073741824')).toBe(1073741824);
    expect(parseAck('OK 0')).toBe(0);
    for (const bad of ['OK', 'OK ', 'ok 5', 'OK 5 ', 'OK -1', 'OK 4294967296', 'NOPE', '']) {
      expect(parseAck(bad)).toBeUndefined();
    }
    expect(parseConnect('CONNECT 52')).toBe(52);
    expect(parseConnect('CONNECT x')).toBeUndefined();
  });

  it('finds the line at any chunking and keeps the bytes after it', () => {
    const wire = Buffer.from('OK 1073741825\nfirst guest bytes');
    for (let split = 0; split <= wire.length; split++) {
      let buffered: Buffer = Buffer.alloc(0);
      let found: { line: string; rest: Buffer } | undefined;
      for (const part of [wire.subarray(0, split), wire.subarray(split)]) {
        if (found) {
          found.rest = Buffer.concat([found.rest, part]);
          continue;
        }
        const result = takeLine(buffered, part);
        if (result.state === 'line') found = { line: result.line, rest: result.rest };
        else if (result.state === 'more') buffered = result.buffered;
        else throw new Error('unexpected too-long');
      }
      expect(found?.line).toBe('OK 1073741825');
      expect(found?.rest.toString()).toBe('first guest bytes');
    }
  });

  it('byte by byte', () => {
    let buffered: Buffer = Buffer.alloc(0);
    const wire = Buffer.from('OK 7\n');
    for (const byte of wire.subarray(0, -1)) {
      const result = takeLine(buffered, Buffer.from([byte]));
      expect(result.state).toBe('more');
      if (result.state === 'more') buffered = result.buffered;
    }
    expect(takeLine(buffered, Buffer.from('\n'))).toMatchObject({ state: 'line', line: 'OK 7' });
  });

  it('gives up on a line longer than an acknowledgement can be', () => {
    expect(takeLine(Buffer.alloc(0), Buffer.alloc(40, 0x41)).state).toBe('too-long');
    expect(takeLine(Buffer.alloc(0), Buffer.from(`${'A'.repeat(40)}\n`)).state).toBe('too-long');
  });
});
