/**
 * XDR type descriptors (RFC 4506): plain data that says how a value is laid out on the wire.
 * The generator turns libvirt's `.x` files into a table of these (src/generated/); `XdrSchema`
 * compiles them into encoders and decoders. Keeping them data (not code) lets the conformance
 * test compare the checked-in layouts against libvirt's `remote_protocol-structs`.
 */
export type XdrType =
  /** 32-bit signed; `char`, `short` and their unsigned forms use `int`/`uint` with `range`. */
  | { kind: 'int'; range?: 'char' | 'short' }
  | { kind: 'uint'; range?: 'char' | 'short' }
  /** 64-bit, as `bigint`. */
  | { kind: 'hyper' }
  | { kind: 'uhyper' }
  | { kind: 'bool' }
  | { kind: 'float' }
  | { kind: 'double' }
  | { kind: 'void' }
  /** Opaque bytes: `fixed` length, or a variable length of at most `max` (undefined: 2^32-1). */
  | { kind: 'opaque'; fixed?: number; max?: number }
  /** A UTF-8 string of at most `max` bytes (undefined: 2^32-1). */
  | { kind: 'string'; max?: number }
  /** `fixed` elements, or a variable count of at most `max`. */
  | { kind: 'array'; of: XdrType; fixed?: number; max?: number }
  /** `type *name`: absent (`null`) or present. */
  | { kind: 'optional'; of: XdrType }
  /** An enum: the wire value must be one of `values` (name -> number). */
  | { kind: 'enum'; values: Readonly<Record<string, number>> }
  | { kind: 'struct'; fields: readonly XdrField[] }
  /**
   * A discriminated union: `discriminant` names the switch field and its type (int, uint,
   * bool or an enum); each arm lists its discriminant values and its field (`type` void: no
   * field). `default` takes any other value; without it other values are an error.
   */
  | {
      kind: 'union';
      discriminant: XdrField;
      arms: readonly XdrUnionArm[];
      default?: { readonly field?: XdrField };
    }
  /** A named type from the schema's table (typedefs, structs, enums, unions). */
  | { kind: 'ref'; name: string };

export interface XdrField {
  readonly name: string;
  readonly type: XdrType;
}

export interface XdrUnionArm {
  readonly values: readonly number[];
  /** Undefined for a `void` arm. */
  readonly field?: XdrField;
}

/** The largest length XDR can express (an unsigned 32-bit count). */
export const XDR_MAX_LENGTH = 0xffff_ffff;
