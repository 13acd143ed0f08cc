import { LibvirtXdrError } from '../errors.js';
import { XdrReader } from './reader.js';
import { XDR_MAX_LENGTH, type XdrField, type XdrType } from './types.js';
import { XdrWriter } from './writer.js';

/** An encoder and decoder for one XDR type, compiled from its descriptor. */
export interface XdrCodec<T = unknown> {
  /** The fewest bytes any value of this type takes (used to refuse impossible counts early). */
  readonly minSize: number;
  encode(writer: XdrWriter, value: T): void;
  decode(reader: XdrReader): T;
}

const textEncoder = new TextEncoder();

/** Prefixes `segment` to the path of an XDR error passing through a struct, array or union. */
function within(segment: string, error: unknown): never {
  if (error instanceof LibvirtXdrError) {
    const path =
      error.path === ''
        ? segment
        : `${segment}${error.path.startsWith('[') ? '' : '.'}${error.path}`;
    throw new LibvirtXdrError(path, error.reason, error.offset);
  }
  throw error;
}

function fail(reason: string, offset?: number): never {
  throw new LibvirtXdrError('', reason, offset);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Uint8Array) return 'a Uint8Array';
  if (typeof value === 'string') return `string ${JSON.stringify(value.slice(0, 40))}`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

function checkedInt(value: unknown, min: number, max: number, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(`expected ${what} (an integer in [${min}, ${max}]), got ${describe(value)}`);
  }
  return value;
}

const INT_RANGES = {
  int: [-0x8000_0000, 0x7fff_ffff, 'int'],
  uint: [0, 0xffff_ffff, 'unsigned int'],
  char: [-128, 127, 'char'],
  uchar: [0, 255, 'unsigned char'],
  short: [-32768, 32767, 'short'],
  ushort: [0, 65535, 'unsigned short'],
} as const;

const HYPER_MIN = -(2n ** 63n);
const HYPER_MAX = 2n ** 63n - 1n;
const UHYPER_MAX = 2n ** 64n - 1n;

function checkedBigint(value: unknown, min: bigint, max: bigint, what: string): bigint {
  if (typeof value !== 'bigint' || value < min || value > max) {
    fail(`expected ${what} (a bigint in [${min}, ${max}]), got ${describe(value)}`);
  }
  return value;
}

/** A variable length read from the wire, checked against the declared maximum. */
function readLength(reader: XdrReader, max: number, what: string): number {
  const at = reader.offset;
  const length = reader.uint();
  if (length > max) fail(`${what} length ${length} exceeds the maximum ${max}`, at);
  return length;
}

/**
 * Compiles XDR type descriptors into codecs, resolving named types from `types`. Codecs are
 * built once per name and shared. Recursive types are refused: libvirt's protocols have none,
 * and a recursive decoder would let a peer pick the stack depth.
 */
export class XdrSchema {
  private readonly compiled = new Map<string, XdrCodec>();
  private readonly compiling = new Set<string>();

  constructor(readonly types: Readonly<Record<string, XdrType>>) {}

  has(name: string): boolean {
    return Object.hasOwn(this.types, name);
  }

  /** The codec of the named type (throws `LibvirtXdrError` for an unknown name). */
  codec<T = unknown>(name: string): XdrCodec<T> {
    let codec = this.compiled.get(name);
    if (codec) return codec as XdrCodec<T>;
    const type = Object.hasOwn(this.types, name) ? this.types[name] : undefined;
    if (type === undefined) fail(`unknown XDR type "${name}"`);
    if (this.compiling.has(name)) fail(`XDR type "${name}" is recursive, which is not supported`);
    this.compiling.add(name);
    try {
      codec = this.compile(type);
    } finally {
      this.compiling.delete(name);
    }
    this.compiled.set(name, codec);
    return codec as XdrCodec<T>;
  }

  /** Encodes `value` as the named type into a new buffer. */
  encode(name: string, value: unknown): Uint8Array {
    const writer = new XdrWriter();
    try {
      this.codec(name).encode(writer, value);
    } catch (error) {
      within(name, error);
    }
    return writer.finish();
  }

  /** Decodes exactly `bytes` as the named type: leftover bytes are an error. */
  decode<T = unknown>(name: string, bytes: Uint8Array): T {
    const reader = new XdrReader(bytes);
    let value: T;
    try {
      value = this.codec<T>(name).decode(reader);
    } catch (error) {
      within(name, error);
    }
    if (reader.remaining !== 0) {
      throw new LibvirtXdrError(
        name,
        `${reader.remaining} bytes left over after the value`,
        reader.offset,
      );
    }
    return value;
  }

  /** Compiles an anonymous descriptor (named references resolve through this schema). */
  compile(type: XdrType): XdrCodec {
    switch (type.kind) {
      case 'int':
      case 'uint': {
        const rangeKey: keyof typeof INT_RANGES =
          type.range === undefined
            ? type.kind
            : type.kind === 'int'
              ? type.range
              : type.range === 'char'
                ? 'uchar'
                : 'ushort';
        const [min, max, what] = INT_RANGES[rangeKey];
        const signed = type.kind === 'int';
        return {
          minSize: 4,
          encode: (w, v) => {
            const n = checkedInt(v, min, max, what);
            if (signed) w.int(n);
            else w.uint(n);
          },
          decode: (r) => {
            const at = r.offset;
            const n = signed ? r.int() : r.uint();
            if (n < min || n > max) fail(`${what} out of range: ${n}`, at);
            return n;
          },
        };
      }
      case 'hyper':
        return {
          minSize: 8,
          encode: (w, v) => w.hyper(checkedBigint(v, HYPER_MIN, HYPER_MAX, 'hyper')),
          decode: (r) => r.hyper(),
        };
      case 'uhyper':
        return {
          minSize: 8,
          encode: (w, v) => w.uhyper(checkedBigint(v, 0n, UHYPER_MAX, 'unsigned hyper')),
          decode: (r) => r.uhyper(),
        };
      case 'bool':
        return {
          minSize: 4,
          encode: (w, v) => {
            if (typeof v !== 'boolean') fail(`expected a boolean, got ${describe(v)}`);
            w.int(v ? 1 : 0);
          },
          decode: (r) => {
            const at = r.offset;
            const n = r.int();
            if (n !== 0 && n !== 1) fail(`bool must be 0 or 1, got ${n}`, at);
            return n === 1;
          },
        };
      case 'float':
      case 'double': {
        const single = type.kind === 'float';
        return {
          minSize: single ? 4 : 8,
          encode: (w, v) => {
            if (typeof v !== 'number') fail(`expected a number (${type.kind}), got ${describe(v)}`);
            if (single) w.float(v);
            else w.double(v);
          },
          decode: (r) => (single ? r.float() : r.double()),
        };
      }
      case 'void':
        return {
          minSize: 0,
          encode: (_w, v) => {
            if (v !== undefined && v !== null) fail(`void takes no value, got ${describe(v)}`);
          },
          decode: () => undefined,
        };
      case 'opaque':
        return this.opaque(type.fixed, type.max ?? XDR_MAX_LENGTH);
      case 'string':
        return this.string(type.max ?? XDR_MAX_LENGTH);
      case 'array':
        return this.array(this.compile(type.of), type.fixed, type.max ?? XDR_MAX_LENGTH);
      case 'optional':
        return this.optional(this.compile(type.of));
      case 'enum':
        return this.enumeration(type.values);
      case 'struct':
        return this.struct(type.fields);
      case 'union':
        return this.union(type);
      case 'ref':
        return this.reference(type.name);
    }
  }

  /** A named type, resolved on first use so descriptors may refer to later definitions. */
  private reference(name: string): XdrCodec {
    if (!this.has(name)) fail(`unknown XDR type "${name}"`);
    if (this.compiling.has(name)) fail(`XDR type "${name}" is recursive, which is not supported`);
    return this.codec(name);
  }

  private opaque(fixed: number | undefined, max: number): XdrCodec<Uint8Array> {
    if (fixed !== undefined) {
      return {
        minSize: (fixed + 3) & ~3,
        encode: (w, v) => {
          if (!(v instanceof Uint8Array)) fail(`expected a Uint8Array, got ${describe(v)}`);
          if (v.length !== fixed)
            fail(`fixed opaque needs exactly ${fixed} bytes, got ${v.length}`);
          w.bytes(v);
        },
        decode: (r) => r.opaque(fixed),
      };
    }
    return {
      minSize: 4,
      encode: (w, v) => {
        if (!(v instanceof Uint8Array)) fail(`expected a Uint8Array, got ${describe(v)}`);
        if (v.length > max) fail(`opaque length ${v.length} exceeds the maximum ${max}`);
        w.uint(v.length);
        w.bytes(v);
      },
      decode: (r) => r.opaque(readLength(r, max, 'opaque')),
    };
  }

  private string(max: number): XdrCodec<string> {
    return {
      minSize: 4,
      encode: (w, v) => {
        if (typeof v !== 'string') fail(`expected a string, got ${describe(v)}`);
        // libvirt reads strings as C strings: a NUL would silently cut the value short there.
        if (v.includes('\0')) fail('string contains a NUL character');
        const bytes = textEncoder.encode(v);
        if (bytes.length > max) fail(`string of ${bytes.length} bytes exceeds the maximum ${max}`);
        w.uint(bytes.length);
        w.bytes(bytes);
      },
      decode: (r) => r.string(readLength(r, max, 'string')),
    };
  }

  private array(element: XdrCodec, fixed: number | undefined, max: number): XdrCodec<unknown[]> {
    const elementAt = (i: number) => `[${i}]`;
    const decodeElements = (r: XdrReader, count: number, countAt: number): unknown[] => {
      // Refuse a count the remaining bytes cannot hold before allocating anything for it.
      if (count * element.minSize > r.remaining) {
        fail(
          `array of ${count} elements needs at least ${count * element.minSize} bytes, ${r.remaining} left`,
          countAt,
        );
      }
      const out = new Array<unknown>(count);
      for (let i = 0; i < count; i++) {
        try {
          out[i] = element.decode(r);
        } catch (error) {
          within(elementAt(i), error);
        }
      }
      return out;
    };
    const encodeElements = (w: XdrWriter, v: unknown[]) => {
      for (let i = 0; i < v.length; i++) {
        try {
          element.encode(w, v[i]);
        } catch (error) {
          within(elementAt(i), error);
        }
      }
    };
    if (fixed !== undefined) {
      return {
        minSize: fixed * element.minSize,
        encode: (w, v) => {
          if (!Array.isArray(v)) fail(`expected an array, got ${describe(v)}`);
          if (v.length !== fixed)
            fail(`fixed array needs exactly ${fixed} elements, got ${v.length}`);
          encodeElements(w, v);
        },
        decode: (r) => decodeElements(r, fixed, r.offset),
      };
    }
    return {
      minSize: 4,
      encode: (w, v) => {
        if (!Array.isArray(v)) fail(`expected an array, got ${describe(v)}`);
        if (v.length > max) fail(`array of ${v.length} elements exceeds the maximum ${max}`);
        w.uint(v.length);
        encodeElements(w, v);
      },
      decode: (r) => {
        const at = r.offset;
        return decodeElements(r, readLength(r, max, 'array'), at);
      },
    };
  }

  private optional(inner: XdrCodec): XdrCodec<unknown> {
    return {
      minSize: 4,
      encode: (w, v) => {
        if (v === null || v === undefined) {
          w.uint(0);
          return;
        }
        w.uint(1);
        inner.encode(w, v);
      },
      decode: (r) => {
        const at = r.offset;
        const present = r.uint();
        if (present === 0) return null;
        if (present !== 1) fail(`optional-data flag must be 0 or 1, got ${present}`, at);
        return inner.decode(r);
      },
    };
  }

  private enumeration(values: Readonly<Record<string, number>>): XdrCodec<number> {
    const allowed = new Set(Object.values(values));
    return {
      minSize: 4,
      encode: (w, v) => {
        if (typeof v !== 'number' || !allowed.has(v)) {
          fail(`${describe(v)} is not a value of this enum`);
        }
        w.int(v);
      },
      decode: (r) => {
        const at = r.offset;
        const n = r.int();
        if (!allowed.has(n)) fail(`${n} is not a value of this enum`, at);
        return n;
      },
    };
  }

  private struct(fields: readonly XdrField[]): XdrCodec<Record<string, unknown>> {
    const compiled = fields.map((f) => ({ name: f.name, codec: this.compile(f.type) }));
    return {
      minSize: compiled.reduce((sum, f) => sum + f.codec.minSize, 0),
      encode: (w, v) => {
        if (typeof v !== 'object' || v === null || Array.isArray(v)) {
          fail(`expected an object, got ${describe(v)}`);
        }
        for (const f of compiled) {
          try {
            f.codec.encode(w, v[f.name]);
          } catch (error) {
            within(f.name, error);
          }
        }
      },
      decode: (r) => {
        const out: Record<string, unknown> = {};
        for (const f of compiled) {
          try {
            out[f.name] = f.codec.decode(r);
          } catch (error) {
            within(f.name, error);
          }
        }
        return out;
      },
    };
  }

  private union(type: Extract<XdrType, { kind: 'union' }>): XdrCodec<Record<string, unknown>> {
    const discName = type.discriminant.name;
    const disc = this.compile(type.discriminant.type) as XdrCodec<number | boolean>;
    const arms = new Map<number, { name?: string; codec: XdrCodec }>();
    for (const arm of type.arms) {
      const entry = arm.field
        ? { name: arm.field.name, codec: this.compile(arm.field.type) }
        : { codec: this.compile({ kind: 'void' }) };
      for (const value of arm.values) arms.set(value, entry);
    }
    const fallback = type.default
      ? type.default.field
        ? { name: type.default.field.name, codec: this.compile(type.default.field.type) }
        : { codec: this.compile({ kind: 'void' }) }
      : undefined;
    const armOf = (d: number | boolean, at?: number) => {
      const arm = arms.get(typeof d === 'boolean' ? Number(d) : d) ?? fallback;
      if (!arm) fail(`${discName} ${String(d)} selects no arm of this union`, at);
      return arm;
    };
    const armMin = Math.min(
      ...[...arms.values(), ...(fallback ? [fallback] : [])].map((a) => a.codec.minSize),
    );
    return {
      minSize: disc.minSize + (Number.isFinite(armMin) ? armMin : 0),
      encode: (w, v) => {
        if (typeof v !== 'object' || v === null) fail(`expected an object, got ${describe(v)}`);
        const d = v[discName] as number | boolean;
        try {
          disc.encode(w, d);
        } catch (error) {
          within(discName, error);
        }
        const arm = armOf(d);
        if (arm.name === undefined) return;
        try {
          arm.codec.encode(w, v[arm.name]);
        } catch (error) {
          within(arm.name, error);
        }
      },
      decode: (r) => {
        const at = r.offset;
        let d: number | boolean;
        try {
          d = disc.decode(r);
        } catch (error) {
          within(discName, error);
        }
        const arm = armOf(d, at);
        const out: Record<string, unknown> = { [discName]: d };
        if (arm.name === undefined) return out;
        try {
          out[arm.name] = arm.codec.decode(r);
        } catch (error) {
          within(arm.name, error);
        }
        return out;
      },
    };
  }
}
