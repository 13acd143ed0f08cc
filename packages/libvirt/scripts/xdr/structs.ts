import type { XdrField, XdrType } from '../../src/xdr/types.js';

/**
 * libvirt keeps `remote_protocol-structs`, the C structs rpcgen makes of remote_protocol.x
 * (pahole's view), as the reference its own build checks the protocol against. This reads it
 * and compares our descriptors with it, field by field, in one normalized notation:
 * `int x`, `u_int x`, `uint64_t x`, `char model[32]`, `var remote_typed_param params`,
 * `ptr remote_nonnull_domain dom`, `remote_nonnull_string name`.
 */
export interface StructsReference {
  structs: Map<string, string[]>;
  enums: Map<string, Map<string, number>>;
}

export function parseStructsReference(text: string): StructsReference {
  const structs = new Map<string, string[]>();
  const enums = new Map<string, Map<string, number>>();
  const lines = text.split('\n').map((l) => l.trim());
  let i = 0;
  function fail(why: string): never {
    throw new Error(`remote_protocol-structs line ${i + 1}: ${why}: ${lines[i]}`);
  }
  while (i < lines.length) {
    const line = lines[i]!;
    let m = /^struct (\w+) \{$/.exec(line);
    if (m) {
      const fields: string[] = [];
      i++;
      while (lines[i] !== '};') {
        if (i >= lines.length) fail('unterminated struct');
        if (lines[i] === 'struct {') {
          // A variable-length array: struct { u_int x_len; T * x_val; } x;
          const val = /^(.+?)\s*\*\s*(\w+)_val;$/.exec(lines[i + 2] ?? '');
          const end = /^\} (\w+);$/.exec(lines[i + 3] ?? '');
          if (!val || !end) fail('unexpected array layout');
          fields.push(`var ${val[1]} ${end[1]}`);
          i += 4;
        } else if (lines[i] === 'union {') {
          i++;
          while (!/^\} \w+;$/.test(lines[i] ?? '')) {
            if (i >= lines.length) fail('unterminated union');
            fields.push(normalizeMember(lines[i]!) ?? fail('unexpected union member'));
            i++;
          }
          i++;
        } else {
          fields.push(normalizeMember(lines[i]!) ?? fail('unexpected member'));
          i++;
        }
      }
      structs.set(m[1]!, fields);
      i++;
      continue;
    }
    m = /^enum (\w+) \{$/.exec(line);
    if (m) {
      const members = new Map<string, number>();
      i++;
      while (lines[i] !== '};') {
        const e = /^(\w+) = (-?\d+),$/.exec(lines[i] ?? '');
        if (!e) fail('unexpected enum member');
        members.set(e[1]!, Number(e[2]));
        i++;
      }
      enums.set(m[1]!, members);
    }
    i++;
  }
  return { structs, enums };
}

/** `TYPE NAME;`, `TYPE NAME[N];` or `TYPE * NAME;` -> the normalized notation. */
function normalizeMember(line: string): string | undefined {
  let m = /^(.+?)\s*\*\s*(\w+);$/.exec(line);
  if (m) return m[1] === 'char' ? `string ${m[2]}` : `ptr ${m[1]} ${m[2]}`;
  m = /^(.+?)\s+(\w+)\[(\d+)\];$/.exec(line);
  if (m) return `${m[1]} ${m[2]}[${m[3]}]`;
  m = /^(.+?)\s+(\w+);$/.exec(line);
  if (m) return `${m[1]!.replace(/\s+/g, ' ')} ${m[2]}`;
  return undefined;
}

/** The C type rpcgen gives an element type. */
function cType(type: XdrType): string {
  switch (type.kind) {
    case 'int':
      return type.range ?? 'int';
    case 'uint':
      return type.range ? `u_${type.range}` : 'u_int';
    case 'hyper':
      return 'int64_t';
    case 'uhyper':
      return 'uint64_t';
    case 'bool':
      return 'bool_t';
    case 'float':
    case 'double':
      return type.kind;
    case 'ref':
      return type.name;
    case 'opaque':
    case 'string':
      return 'char';
    default:
      return `<anonymous ${type.kind}>`;
  }
}

export function normalizeField(field: XdrField): string {
  const { name, type } = field;
  switch (type.kind) {
    case 'array':
      return type.fixed !== undefined
        ? `${cType(type.of)} ${name}[${type.fixed}]`
        : `var ${cType(type.of)} ${name}`;
    case 'opaque':
      return type.fixed !== undefined ? `char ${name}[${type.fixed}]` : `var char ${name}`;
    case 'string':
      return `string ${name}`;
    case 'optional':
      return `ptr ${cType(type.of)} ${name}`;
    default:
      return `${cType(type)} ${name}`;
  }
}

/** The normalized member list of a struct or union descriptor (what the reference shows). */
export function normalizeLayout(type: XdrType): string[] | undefined {
  if (type.kind === 'struct') return type.fields.map(normalizeField);
  if (type.kind === 'union') {
    const arms = type.arms.flatMap((a) => (a.field ? [normalizeField(a.field)] : []));
    const fallback = type.default?.field ? [normalizeField(type.default.field)] : [];
    return [normalizeField(type.discriminant), ...arms, ...fallback];
  }
  return undefined;
}

/**
 * Differences between our descriptors and the reference, one line each (empty: they agree).
 * Every struct and enum of the reference must exist with the same members in the same order;
 * every struct, union and enum of ours must be in the reference.
 */
export function compareWithReference(
  types: Readonly<Record<string, XdrType>>,
  reference: StructsReference,
): string[] {
  const problems: string[] = [];
  for (const [name, expected] of reference.structs) {
    const ours = types[name];
    const actual = ours && normalizeLayout(ours);
    if (!actual) {
      problems.push(`${name}: in the reference, not a struct or union here`);
      continue;
    }
    const a = actual.join('; ');
    const e = expected.join('; ');
    if (a !== e) problems.push(`${name}: ours {${a}} vs reference {${e}}`);
  }
  for (const [name, expected] of reference.enums) {
    const ours = types[name];
    if (ours?.kind !== 'enum') {
      problems.push(`${name}: enum in the reference, not here`);
      continue;
    }
    const a = Object.entries(ours.values)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ');
    const e = [...expected].map(([k, v]) => `${k}=${v}`).join(', ');
    if (a !== e) problems.push(`${name}: ours {${a}} vs reference {${e}}`);
  }
  for (const [name, type] of Object.entries(types)) {
    if ((type.kind === 'struct' || type.kind === 'union') && !reference.structs.has(name)) {
      problems.push(`${name}: ${type.kind} here, missing from the reference`);
    }
    if (type.kind === 'enum' && !reference.enums.has(name)) {
      problems.push(`${name}: enum here, missing from the reference`);
    }
  }
  return problems;
}
