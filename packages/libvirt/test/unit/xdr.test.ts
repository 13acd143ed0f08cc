import { describe, expect, it } from 'vitest';
import { LibvirtXdrError } from '../../src/errors.js';
import { XdrSchema, type XdrType } from '../../src/xdr/index.js';

/** Hex bytes; on each line, text after two or more spaces is a comment. */
const hex = (s: string) =>
  Uint8Array.from(
    Buffer.from(
      s
        .split('\n')
        .map((line) =>
          line
            .trim()
            .split(/\s{2,}/)[0]!
            .replace(/\s/g, ''),
        )
        .join(''),
      'hex',
    ),
  );

// A small protocol in the shapes libvirt uses: strings with a maximum, optional data, a fixed
// opaque, a bounded array, an enum and a union on it.
const schema = new XdrSchema({
  name: { kind: 'string', max: 8 },
  maybe_name: { kind: 'optional', of: { kind: 'ref', name: 'name' } },
  uuid: { kind: 'opaque', fixed: 4 },
  color: { kind: 'enum', values: { RED: 0, GREEN: 1, BLUE: 7 } },
  param: {
    kind: 'union',
    discriminant: { name: 'type', type: { kind: 'int' } },
    arms: [
      { values: [1], field: { name: 'i', type: { kind: 'int' } } },
      { values: [3], field: { name: 'l', type: { kind: 'hyper' } } },
      { values: [7], field: { name: 's', type: { kind: 'ref', name: 'name' } } },
      { values: [9] },
    ],
  },
  thing: {
    kind: 'struct',
    fields: [
      { name: 'name', type: { kind: 'ref', name: 'name' } },
      { name: 'uuid', type: { kind: 'ref', name: 'uuid' } },
      { name: 'color', type: { kind: 'ref', name: 'color' } },
      { name: 'alias', type: { kind: 'ref', name: 'maybe_name' } },
      { name: 'params', type: { kind: 'array', of: { kind: 'ref', name: 'param' }, max: 3 } },
      { name: 'size', type: { kind: 'uhyper' } },
      { name: 'ok', type: { kind: 'bool' } },
      { name: 'model', type: { kind: 'array', of: { kind: 'int', range: 'char' }, fixed: 2 } },
      { name: 'state', type: { kind: 'uint', range: 'char' } },
      { name: 'load', type: { kind: 'double' } },
    ],
  },
  bytes: { kind: 'opaque', max: 5 },
  unbounded: { kind: 'array', of: { kind: 'hyper' } },
  loop: {
    kind: 'struct',
    fields: [{ name: 'next', type: { kind: 'optional', of: { kind: 'ref', name: 'loop' } } }],
  },
});

const thing = {
  name: 'vm1',
  uuid: hex('deadbeef'),
  color: 7,
  alias: null,
  params: [{ type: 1, i: -2 }, { type: 7, s: 'héllo' }, { type: 9 }],
  size: 2n ** 40n,
  ok: true,
  model: [65, -1],
  state: 255,
  load: 0.5,
};

const thingBytes = hex(`
  00000003 766d3100            name: length 3, "vm1", 1 byte of padding
  deadbeef                     uuid: 4 fixed bytes
  00000007                     color: BLUE
  00000000                     alias: absent
  00000003                     params: 3 elements
    00000001 fffffffe          type 1, i = -2
    00000007 00000006 68c3a96c6c6f 0000   type 7, s = "héllo" (6 UTF-8 bytes + 2 padding)
    00000009                   type 9, void arm
  00000100 00000000            size: 2^40
  00000001                     ok: true
  00000041 ffffffff            model: 'A', -1 (chars take 4 bytes each)
  000000ff                     state: 255
  3fe00000 00000000            load: 0.5
`);

function xdrError(fn: () => unknown): LibvirtXdrError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(LibvirtXdrError);
    return error as LibvirtXdrError;
  }
  throw new Error('expected a LibvirtXdrError, nothing was thrown');
}

describe('XdrSchema', () => {
  it('encodes a struct byte for byte', () => {
    expect(Buffer.from(schema.encode('thing', thing)).toString('hex')).toBe(
      Buffer.from(thingBytes).toString('hex'),
    );
  });

  it('decodes it back to the same value', () => {
    expect(schema.decode('thing', thingBytes)).toEqual(thing);
  });

  it('reports every truncation as a typed error naming the field, never reading past the end', () => {
    for (let cut = 0; cut < thingBytes.length; cut++) {
      const err = xdrError(() => schema.decode('thing', thingBytes.subarray(0, cut)));
      expect(err.code).toBe('XDR_ERROR');
      expect(err.path).toMatch(/^thing/);
      expect(err.offset).toBeLessThanOrEqual(cut);
    }
  });

  it('decodes the value inside a larger buffer at any offset without touching the rest', () => {
    for (let pad = 0; pad < 8; pad++) {
      const big = new Uint8Array(pad + thingBytes.length + 8).fill(0xee);
      big.set(thingBytes, pad);
      const view = big.subarray(pad, pad + thingBytes.length);
      expect(schema.decode('thing', view)).toEqual(thing);
    }
  });

  it('refuses leftover bytes', () => {
    const longer = new Uint8Array(thingBytes.length + 4);
    longer.set(thingBytes);
    expect(xdrError(() => schema.decode('thing', longer)).message).toMatch(/4 bytes left over/);
  });

  it('checks lengths against the declared maximum when decoding', () => {
    const err = xdrError(() => schema.decode('name', hex('00000009 00000000 00000000 00000000')));
    expect(err.message).toMatch(/string length 9 exceeds the maximum 8/);
    expect(
      xdrError(() => schema.decode('bytes', hex('00000006 0000000000000000'))).message,
    ).toMatch(/opaque length 6 exceeds the maximum 5/);
  });

  it('refuses an array count the remaining bytes cannot hold, before allocating', () => {
    // 0xffffffff hypers would need 32 GiB; there are 8 bytes.
    const err = xdrError(() => schema.decode('unbounded', hex('ffffffff 00000000 00000001')));
    expect(err.message).toMatch(/array of 4294967295 elements needs at least/);
    expect(err.offset).toBe(0);
  });

  it('checks lengths, ranges and types when encoding, naming the path', () => {
    expect(xdrError(() => schema.encode('thing', { ...thing, name: 'much too long' })).path).toBe(
      'thing.name',
    );
    expect(xdrError(() => schema.encode('thing', { ...thing, name: 'a\0b' })).message).toMatch(
      /NUL/,
    );
    expect(xdrError(() => schema.encode('thing', { ...thing, state: 256 })).path).toBe(
      'thing.state',
    );
    expect(xdrError(() => schema.encode('thing', { ...thing, size: 1 })).message).toMatch(/bigint/);
    expect(xdrError(() => schema.encode('thing', { ...thing, size: -1n })).path).toBe('thing.size');
    expect(xdrError(() => schema.encode('thing', { ...thing, color: 3 })).path).toBe('thing.color');
    expect(
      xdrError(() => schema.encode('thing', { ...thing, params: [{ type: 1, i: 1.5 }] })).path,
    ).toBe('thing.params[0].i');
    expect(
      xdrError(() => schema.encode('thing', { ...thing, params: [{ type: 2 }] })).message,
    ).toMatch(/type 2 selects no arm/);
    expect(
      xdrError(() =>
        schema.encode('thing', {
          ...thing,
          params: [thing.params[0], thing.params[0], thing.params[0], thing.params[0]],
        }),
      ).message,
    ).toMatch(/4 elements exceeds the maximum 3/);
    expect(xdrError(() => schema.encode('thing', { ...thing, uuid: hex('00') })).message).toMatch(
      /exactly 4 bytes/,
    );
    expect(xdrError(() => schema.encode('thing', { ...thing, ok: 1 })).path).toBe('thing.ok');
    expect(xdrError(() => schema.encode('thing', 'x')).message).toMatch(/expected an object/);
  });

  it('refuses undeclared enum values, union arms, bools and optional flags when decoding', () => {
    expect(xdrError(() => schema.decode('color', hex('00000002'))).message).toMatch(/not a value/);
    expect(xdrError(() => schema.decode('param', hex('00000002 00000000'))).message).toMatch(
      /selects no arm/,
    );
    expect(xdrError(() => schema.decode('maybe_name', hex('00000002'))).message).toMatch(
      /must be 0 or 1/,
    );
    const badBool = new Uint8Array(thingBytes);
    badBool.set(hex('00000002'), 60); // `ok`
    expect(xdrError(() => schema.decode('thing', badBool)).path).toBe('thing.ok');
  });

  it('refuses recursive types and unknown names', () => {
    expect(xdrError(() => schema.decode('loop', hex('00000000'))).message).toMatch(/recursive/);
    expect(xdrError(() => schema.decode('nope', hex(''))).message).toMatch(
      /unknown XDR type "nope"/,
    );
  });

  it('round-trips the edges of every numeric type', () => {
    const edges = new XdrSchema({
      n: {
        kind: 'struct',
        fields: [
          { name: 'i', type: { kind: 'array', of: { kind: 'int' }, fixed: 2 } },
          { name: 'u', type: { kind: 'array', of: { kind: 'uint' }, fixed: 2 } },
          { name: 'h', type: { kind: 'array', of: { kind: 'hyper' }, fixed: 2 } },
          { name: 'uh', type: { kind: 'array', of: { kind: 'uhyper' }, fixed: 2 } },
          { name: 'f', type: { kind: 'float' } },
          { name: 's', type: { kind: 'int', range: 'short' } },
        ],
      } satisfies XdrType,
    });
    const value = {
      i: [-(2 ** 31), 2 ** 31 - 1],
      u: [0, 2 ** 32 - 1],
      h: [-(2n ** 63n), 2n ** 63n - 1n],
      uh: [0n, 2n ** 64n - 1n],
      f: 1.5,
      s: -32768,
    };
    expect(edges.decode('n', edges.encode('n', value))).toEqual(value);
    expect(() => edges.encode('n', { ...value, i: [2 ** 31, 0] })).toThrow(LibvirtXdrError);
    expect(() => edges.encode('n', { ...value, s: 40000 })).toThrow(LibvirtXdrError);
  });
});
