import { describe, expect, it } from 'vitest';
import { LiveSchema } from '../../src/client/live-schema.js';
import { QmpArgumentError } from '../../src/errors.js';
import { completeLine } from '../../src/shell/completer.js';
import { formatValue } from '../../src/shell/format.js';
import { parseShellLine } from '../../src/shell/parse.js';

describe('qmp-shell line parser', () => {
  it('parses key=value with JSON values, nesting and quotes', () => {
    expect(
      parseShellLine(
        `device_add driver=virtio-net-pci id=nic1 bus.addr=5 opts={"a": [1, 2]} s='a b' n=18446744073709551615`,
      ),
    ).toEqual({
      name: 'device_add',
      oob: false,
      args: {
        driver: 'virtio-net-pci',
        id: 'nic1',
        bus: { addr: 5 },
        opts: { a: [1, 2] },
        s: 'a b',
        n: 18446744073709551615n,
      },
    });
  });

  it('parses raw JSON, OOB and blank/comment lines', () => {
    expect(parseShellLine('{"execute":"query-status"}')).toEqual({
      name: 'query-status',
      args: undefined,
      oob: false,
    });
    expect(parseShellLine('{"exec-oob":"query-yank","arguments":{}}')).toMatchObject({ oob: true });
    expect(parseShellLine('!query-yank')).toEqual({
      name: 'query-yank',
      args: undefined,
      oob: true,
    });
    expect(parseShellLine('   ')).toBeUndefined();
    expect(parseShellLine('# note')).toBeUndefined();
  });

  it('rejects malformed input with typed errors naming the problem', () => {
    expect(() => parseShellLine('{"execute":')).toThrow(QmpArgumentError);
    expect(() => parseShellLine('{"arguments":{}}')).toThrow(/execute/);
    expect(() => parseShellLine('cmd novalue')).toThrow(/novalue: expected key=value/);
    expect(() => parseShellLine('cmd a=1 a.b=2')).toThrow(/non-object/);
    expect(() => parseShellLine('cmd s="open')).toThrow(/unterminated/);
  });

  it('completes command and argument names from a schema', () => {
    const schema = new LiveSchema([
      { name: 'query-status', 'meta-type': 'command', 'arg-type': '0', 'ret-type': '1' },
      { name: 'quit', 'meta-type': 'command', 'arg-type': '0', 'ret-type': '0' },
      { name: 'device_add', 'meta-type': 'command', 'arg-type': '2', 'ret-type': '0' },
      { name: '0', 'meta-type': 'object', members: [] },
      {
        name: '2',
        'meta-type': 'object',
        members: [{ name: 'driver' }, { name: 'bus' }, { name: 'id' }],
      },
    ]);
    expect(completeLine(schema, 'qu')).toEqual([['query-status', 'quit'], 'qu']);
    expect(completeLine(schema, 'device_add driver=x ')).toEqual([['bus=', 'id='], '']);
    expect(completeLine(schema, 'device_add b')).toEqual([['bus='], 'b']);
  });

  it('pretty-prints bigints exactly', () => {
    expect(formatValue({ n: 18446744073709551615n })).toBe('{\n  "n": 18446744073709551615\n}');
  });
});
