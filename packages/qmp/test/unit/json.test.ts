import { describe, expect, it } from 'vitest';
import { parseJson, stringifyJson } from '../../src/protocol/json.js';

describe('lossless JSON', () => {
  it('keeps safe integers and floats as numbers', () => {
    expect(parseJson('{"a":9007199254740991,"b":-9007199254740991,"c":1.5e300,"d":0}')).toEqual({
      a: 9007199254740991,
      b: -9007199254740991,
      c: 1.5e300,
      d: 0,
    });
  });

  it('decodes integers beyond 2^53 as exact bigints', () => {
    const value = parseJson(
      '{"max":18446744073709551615,"min":-9223372036854775808,"near":9007199254740993}',
    );
    expect(value).toEqual({
      max: 18446744073709551615n,
      min: -9223372036854775808n,
      near: 9007199254740993n,
    });
  });

  it('leaves digits inside strings alone (escaped quotes included)', () => {
    expect(parseJson('{"s":"x\\"18446744073709551615","n":18446744073709551615}')).toEqual({
      s: 'x"18446744073709551615',
      n: 18446744073709551615n,
    });
  });

  it('does not turn big floats into bigints', () => {
    expect(parseJson('[12345678901234567890.5, 12345678901234567890e2]')).toEqual([
      Number('12345678901234567890.5'),
      Number('12345678901234567890e2'),
    ]);
  });

  it('round-trips bigints through stringify', () => {
    const text = stringifyJson({ size: 18446744073709551615n, list: [1n, 2], s: 'a' });
    expect(text).toBe('{"size":18446744073709551615,"list":[1,2],"s":"a"}');
    expect(parseJson(text)).toEqual({ size: 18446744073709551615n, list: [1, 2], s: 'a' });
  });
});
