import { XdrSchemaError } from '../../src/errors.js';
import type { XdrField, XdrType, XdrUnionArm } from '../../src/xdr/types.js';

/**
 * A parser for the XDR language (RFC 4506 section 6) as libvirt's `.x` files use it: `const`,
 * `typedef`, `enum`, `struct` and `union` definitions, `%` passthrough lines and C comments.
 * Doc comments (`/** ... *\/`) before enum members are kept, because libvirt annotates each
 * procedure there (`@generate`, `@priority`, `@readstream`, ...).
 */

export interface EnumMember {
  name: string;
  value: number;
  /** The `/** ... *\/` comment just before the member, if any. */
  doc?: string;
}

export type Definition =
  | { kind: 'const'; name: string; value: number; line: number }
  | { kind: 'typedef'; name: string; type: XdrType; line: number }
  | { kind: 'enum'; name: string; members: EnumMember[]; line: number }
  | { kind: 'struct'; name: string; fields: XdrField[]; line: number }
  | {
      kind: 'union';
      name: string;
      discriminant: XdrField;
      arms: XdrUnionArm[];
      default?: { field?: XdrField };
      line: number;
    };

export interface ParsedFile {
  file: string;
  definitions: Definition[];
}

interface Token {
  kind: 'ident' | 'number' | 'punct' | 'doc';
  text: string;
  line: number;
}

const PUNCT = new Set(['{', '}', '(', ')', '[', ']', '<', '>', ';', ',', '=', ':', '*']);

function tokenize(file: string, source: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let i = 0;
  const n = source.length;
  while (i < n) {
    const c = source[i]!;
    if (c === '\n') {
      line++;
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      i++;
    } else if (c === '%' && (i === 0 || source[i - 1] === '\n')) {
      // `%...` lines pass C through rpcgen; they carry no XDR.
      while (i < n && source[i] !== '\n') i++;
    } else if (source.startsWith('/*', i)) {
      const end = source.indexOf('*/', i + 2);
      if (end < 0) throw new XdrSchemaError(file, line, 'unterminated comment');
      const text = source.slice(i, end + 2);
      if (text.startsWith('/**') && text !== '/**/') tokens.push({ kind: 'doc', text, line });
      line += text.split('\n').length - 1;
      i = end + 2;
    } else if (source.startsWith('//', i)) {
      while (i < n && source[i] !== '\n') i++;
    } else if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_]/.test(source[j]!)) j++;
      tokens.push({ kind: 'ident', text: source.slice(i, j), line });
      i = j;
    } else if (/[0-9-]/.test(c)) {
      const m = /^-?(0x[0-9a-fA-F]+|[0-9]+)/.exec(source.slice(i, i + 40));
      if (!m) throw new XdrSchemaError(file, line, `unexpected character ${JSON.stringify(c)}`);
      tokens.push({ kind: 'number', text: m[0], line });
      i += m[0].length;
    } else if (PUNCT.has(c)) {
      tokens.push({ kind: 'punct', text: c, line });
      i++;
    } else {
      throw new XdrSchemaError(file, line, `unexpected character ${JSON.stringify(c)}`);
    }
  }
  return tokens;
}

/**
 * Constants a `.x` file uses but does not define: they come from libvirt's public C headers
 * (libvirt-common.h, libvirt-host.h, libvirt-common.h's virTypedParameterType).
 */
export const EXTERNAL_CONSTANTS: Readonly<Record<string, number>> = {
  VIR_UUID_BUFLEN: 16,
  VIR_SECURITY_MODEL_BUFLEN: 256 + 1,
  VIR_SECURITY_LABEL_BUFLEN: 4096 + 1,
  VIR_SECURITY_DOI_BUFLEN: 256 + 1,
  VIR_TYPED_PARAM_INT: 1,
  VIR_TYPED_PARAM_UINT: 2,
  VIR_TYPED_PARAM_LLONG: 3,
  VIR_TYPED_PARAM_ULLONG: 4,
  VIR_TYPED_PARAM_DOUBLE: 5,
  VIR_TYPED_PARAM_BOOLEAN: 6,
  VIR_TYPED_PARAM_STRING: 7,
};

class Parser {
  private pos = 0;
  private pendingDoc: string | undefined;

  constructor(
    private readonly file: string,
    private readonly tokens: Token[],
    /** Constants and enum members known so far (this file's and earlier files'). */
    private readonly values: Map<string, number>,
  ) {}

  private error(message: string, token = this.tokens[this.pos]): never {
    throw new XdrSchemaError(this.file, token?.line ?? this.tokens.at(-1)?.line ?? 1, message);
  }

  private peek(): Token | undefined {
    while (this.tokens[this.pos]?.kind === 'doc') {
      this.pendingDoc = this.tokens[this.pos]!.text;
      this.pos++;
    }
    return this.tokens[this.pos];
  }

  private next(): Token {
    const t = this.peek();
    if (!t) this.error('unexpected end of file');
    this.pos++;
    return t;
  }

  private expect(text: string): Token {
    const t = this.next();
    if (t.text !== text) this.error(`expected "${text}", found "${t.text}"`, t);
    return t;
  }

  private accept(text: string): boolean {
    if (this.peek()?.text === text) {
      this.pos++;
      return true;
    }
    return false;
  }

  private ident(): string {
    const t = this.next();
    if (t.kind !== 'ident') this.error(`expected a name, found "${t.text}"`, t);
    return t.text;
  }

  /** A number, or the name of a constant or enum member. */
  private value(): number {
    const t = this.next();
    if (t.kind === 'number')
      return Number(t.text.startsWith('-') ? -Number(t.text.slice(1)) : t.text);
    if (t.kind === 'ident') {
      const v = this.values.get(t.text) ?? EXTERNAL_CONSTANTS[t.text];
      if (v === undefined) this.error(`unknown constant "${t.text}"`, t);
      return v;
    }
    return this.error(`expected a number or a constant, found "${t.text}"`, t);
  }

  parse(): Definition[] {
    const defs: Definition[] = [];
    while (this.peek()) {
      const t = this.next();
      const line = t.line;
      switch (t.text) {
        case 'const': {
          const name = this.ident();
          this.expect('=');
          const value = this.value();
          this.expect(';');
          this.define(name, value, t);
          defs.push({ kind: 'const', name, value, line });
          break;
        }
        case 'typedef': {
          const field = this.declaration();
          if (!field) this.error('typedef of void', t);
          this.expect(';');
          defs.push({ kind: 'typedef', name: field.name, type: field.type, line });
          break;
        }
        case 'enum': {
          const name = this.ident();
          const members = this.enumBody();
          this.expect(';');
          defs.push({ kind: 'enum', name, members, line });
          break;
        }
        case 'struct': {
          const name = this.ident();
          const fields = this.structBody();
          this.expect(';');
          defs.push({ kind: 'struct', name, fields, line });
          break;
        }
        case 'union': {
          const name = this.ident();
          defs.push({ kind: 'union', name, ...this.unionBody(), line });
          this.expect(';');
          break;
        }
        default:
          this.error(
            `expected a definition (const, typedef, enum, struct, union), found "${t.text}"`,
            t,
          );
      }
      this.pendingDoc = undefined;
    }
    return defs;
  }

  private define(name: string, value: number, at: Token): void {
    if (this.values.has(name)) this.error(`"${name}" is defined twice`, at);
    this.values.set(name, value);
  }

  private enumBody(): EnumMember[] {
    this.expect('{');
    const members: EnumMember[] = [];
    this.pendingDoc = undefined;
    for (;;) {
      const nameToken = this.peek();
      if (!nameToken) this.error('unterminated enum');
      const doc = this.pendingDoc;
      this.pendingDoc = undefined;
      const name = this.ident();
      this.expect('=');
      const value = this.value();
      this.define(name, value, nameToken);
      members.push(doc === undefined ? { name, value } : { name, value, doc });
      if (this.accept(',')) {
        if (this.peek()?.text === '}') break;
        continue;
      }
      break;
    }
    this.expect('}');
    return members;
  }

  private structBody(): XdrField[] {
    this.expect('{');
    const fields: XdrField[] = [];
    while (!this.accept('}')) {
      const field = this.declaration();
      this.expect(';');
      if (field) fields.push(field);
    }
    if (fields.length === 0) this.error('empty struct');
    return fields;
  }

  private unionBody(): Omit<Extract<Definition, { kind: 'union' }>, 'kind' | 'name' | 'line'> {
    this.expect('switch');
    this.expect('(');
    const discriminant = this.declaration();
    if (!discriminant) this.error('union switch on void');
    this.expect(')');
    this.expect('{');
    const arms: XdrUnionArm[] = [];
    let fallback: { field?: XdrField } | undefined;
    while (!this.accept('}')) {
      if (this.accept('default')) {
        this.expect(':');
        const field = this.declaration();
        this.expect(';');
        fallback = field ? { field } : {};
        continue;
      }
      const values: number[] = [];
      while (this.accept('case')) {
        values.push(this.value());
        this.expect(':');
      }
      if (values.length === 0) this.error('expected "case" or "default" in union');
      const field = this.declaration();
      this.expect(';');
      arms.push(field ? { values, field } : { values });
    }
    return fallback ? { discriminant, arms, default: fallback } : { discriminant, arms };
  }

  /** A declaration; undefined for `void`. */
  private declaration(): XdrField | undefined {
    const first = this.next();
    if (first.text === 'void') return undefined;
    if (first.text === 'opaque' || first.text === 'string') {
      const name = this.ident();
      if (first.text === 'string') {
        this.expect('<');
        const max = this.accept('>') ? undefined : this.bound();
        return { name, type: max === undefined ? { kind: 'string' } : { kind: 'string', max } };
      }
      if (this.accept('[')) {
        const fixed = this.value();
        this.expect(']');
        return { name, type: { kind: 'opaque', fixed } };
      }
      this.expect('<');
      const max = this.accept('>') ? undefined : this.bound();
      return { name, type: max === undefined ? { kind: 'opaque' } : { kind: 'opaque', max } };
    }
    const base = this.typeSpecifier(first);
    if (this.accept('*')) return { name: this.ident(), type: { kind: 'optional', of: base } };
    const name = this.ident();
    if (this.accept('[')) {
      const fixed = this.value();
      this.expect(']');
      return { name, type: { kind: 'array', of: base, fixed } };
    }
    if (this.accept('<')) {
      const max = this.accept('>') ? undefined : this.bound();
      return {
        name,
        type: max === undefined ? { kind: 'array', of: base } : { kind: 'array', of: base, max },
      };
    }
    return { name, type: base };
  }

  /** `N>` after a `<`. */
  private bound(): number {
    const v = this.value();
    this.expect('>');
    return v;
  }

  private typeSpecifier(first: Token): XdrType {
    switch (first.text) {
      case 'unsigned': {
        const t = this.peek()?.text;
        if (t === 'int' || t === 'hyper' || t === 'char' || t === 'short' || t === 'long')
          this.pos++;
        if (t === 'hyper') return { kind: 'uhyper' };
        if (t === 'char') return { kind: 'uint', range: 'char' };
        if (t === 'short') return { kind: 'uint', range: 'short' };
        return { kind: 'uint' };
      }
      case 'int':
      case 'long':
        return { kind: 'int' };
      case 'hyper':
        return { kind: 'hyper' };
      case 'char':
        return { kind: 'int', range: 'char' };
      case 'short':
        return { kind: 'int', range: 'short' };
      case 'float':
        return { kind: 'float' };
      case 'double':
        return { kind: 'double' };
      case 'bool':
        return { kind: 'bool' };
      case 'enum':
      case 'struct':
      case 'union':
        if (this.peek()?.text === '{' || this.peek()?.text === 'switch') {
          this.error(`anonymous ${first.text} types are not supported`, first);
        }
        return { kind: 'ref', name: this.ident() };
      case 'quadruple':
        return this.error('quadruple is not supported', first);
      default:
        if (first.kind !== 'ident') this.error(`expected a type, found "${first.text}"`, first);
        return { kind: 'ref', name: first.text };
    }
  }
}

/**
 * Parses one `.x` file. `values` holds the constants and enum members of files parsed before
 * (qemu_protocol.x uses remote_protocol.x's), and receives this file's.
 */
export function parseXdr(
  file: string,
  source: string,
  values = new Map<string, number>(),
): ParsedFile {
  return { file, definitions: new Parser(file, tokenize(file, source), values).parse() };
}
