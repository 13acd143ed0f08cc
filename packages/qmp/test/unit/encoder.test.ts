import { describe, expect, it } from 'vitest';
import { encodeCommand } from '../../src/protocol/encoder.js';

describe('encodeCommand', () => {
  it('writes execute, arguments and id in that order, one line', () => {
    expect(encodeCommand({ command: 'query-status', oob: false, id: 1 })).toBe(
      '{"execute":"query-status","id":1}\n',
    );
    expect(encodeCommand({ command: 'device_del', args: { id: 'net0' }, oob: false, id: 7 })).toBe(
      '{"execute":"device_del","arguments":{"id":"net0"},"id":7}\n',
    );
  });

  it('uses exec-oob for out-of-band commands and writes bigints as numbers', () => {
    expect(
      encodeCommand({
        command: 'migrate-pause',
        args: { n: 18446744073709551615n },
        oob: true,
        id: 2,
      }),
    ).toBe('{"exec-oob":"migrate-pause","arguments":{"n":18446744073709551615},"id":2}\n');
  });

  it('keeps a newline inside a string escaped, so the message stays one line', () => {
    const line = encodeCommand({
      command: 'human-monitor-command',
      args: { 'command-line': 'a\nb' },
      oob: false,
      id: 3,
    });
    expect(line.indexOf('\n')).toBe(line.length - 1);
    expect(JSON.parse(line)).toEqual({
      execute: 'human-monitor-command',
      arguments: { 'command-line': 'a\nb' },
      id: 3,
    });
  });
});
