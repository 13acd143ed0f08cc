import { describe, expect, it } from 'vitest';
import { descriptorOf } from '../../scripts/xdr/generate.js';
import { parseXdr } from '../../scripts/xdr/parser.js';
import { XdrSchemaError } from '../../src/errors.js';
import { XdrSchema } from '../../src/xdr/index.js';

const source = `
/* A tiny protocol in libvirt's style. */
%#include "internal.h"
const NAME_MAX = 16;
typedef string nonnull_string<NAME_MAX>;
typedef nonnull_string *maybe_string;
enum proc {
    /**
     * @generate: both
     * @priority: high
     */
    PROC_OPEN = 1,
    /**
     * @readstream: 1
     */
    PROC_READ = 2
};
struct open_args {
    maybe_string name;
    unsigned int flags;
    unsigned hyper size;
    opaque uuid[4];
    char model[2];
    int ids<NAME_MAX>;
};
union value switch (int type) {
 case PROC_OPEN:
 case PROC_READ:
    int i;
 default:
    void;
};
`;

describe('parseXdr', () => {
  it('reads consts, typedefs, enums with their doc comments, structs and unions', () => {
    const { definitions } = parseXdr('mini.x', source);
    expect(definitions.map((d) => `${d.kind} ${d.name}`)).toEqual([
      'const NAME_MAX',
      'typedef nonnull_string',
      'typedef maybe_string',
      'enum proc',
      'struct open_args',
      'union value',
    ]);
    const proc = definitions[3]!;
    expect(proc.kind === 'enum' && proc.members.map((m) => [m.name, m.value])).toEqual([
      ['PROC_OPEN', 1],
      ['PROC_READ', 2],
    ]);
    expect(proc.kind === 'enum' && proc.members[1]!.doc).toMatch(/@readstream: 1/);
    const types = Object.fromEntries(
      definitions.flatMap((d) => {
        const t = descriptorOf(d);
        return t ? [[d.name, t]] : [];
      }),
    );
    const schema = new XdrSchema(types);
    const value = {
      name: 'x',
      flags: 3,
      size: 9n,
      uuid: Uint8Array.of(1, 2, 3, 4),
      model: [1, 2],
      ids: [7],
    };
    expect(schema.decode('open_args', schema.encode('open_args', value))).toEqual(value);
    expect(schema.decode('value', schema.encode('value', { type: 2, i: 5 }))).toEqual({
      type: 2,
      i: 5,
    });
    expect(schema.decode('value', schema.encode('value', { type: 9 }))).toEqual({ type: 9 });
    expect(() => schema.encode('open_args', { ...value, ids: new Array(17).fill(0) })).toThrow(
      /exceeds the maximum 16/,
    );
  });

  it('names the file and line of a syntax error', () => {
    const cases: [string, RegExp][] = [
      ['const A = ;', /mini\.x:1: expected a number or a constant, found ";"/],
      ['struct s {\n  int a;\n  foo;\n};', /mini\.x:3: expected a name, found ";"/],
      ['typedef int x[UNKNOWN];', /unknown constant "UNKNOWN"/],
      ['/* never closed', /unterminated comment/],
      ['struct s { int a; }', /unexpected end of file/],
      ['program P { } = 1;', /expected a definition/],
      ['const A = 1;\nconst A = 2;', /mini\.x:2: "A" is defined twice/],
      ['struct s { struct { int a; } b; };', /anonymous struct types are not supported/],
    ];
    for (const [text, message] of cases) {
      expect(() => parseXdr('mini.x', text)).toThrow(XdrSchemaError);
      expect(() => parseXdr('mini.x', text)).toThrow(message);
    }
  });
});
