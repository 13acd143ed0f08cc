import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { QapiSchemaError } from '../../src/errors.js';

/**
 * A reader for QEMU's QAPI schema language: Python-literal-like expressions (single-quoted
 * strings, `true`/`false`), `#` comments, `##` doc blocks, `include` pragmas. Only structure
 * is kept from doc blocks (the symbol name, `Since:` and per-member `(since X)`), never prose.
 */
export type QapiValue = string | boolean | QapiValue[] | { [key: string]: QapiValue };

export interface QapiExpression {
  expr: Record<string, QapiValue>;
  file: string;
  line: number;
  /** `Since:` of the doc block before the expression. */
  since?: string;
  /** Member name -> version from `(since X)` in the member's doc paragraph. */
  memberSince: Map<string, string>;
}

interface Token {
  kind: 'punct' | 'string' | 'bool' | 'doc';
  value: string;
  line: number;
}

function tokenize(text: string, file: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    const c = text[i] as string;
    if (c === '\n') {
      line++;
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      i++;
    } else if (c === '#') {
      // A doc block starts with a line that is exactly `##` and ends at the next such line.
      const eol = text.indexOf('\n', i);
      const lineText = text.slice(i, eol === -1 ? n : eol).trimEnd();
      if (lineText === '##') {
        const startLine = line;
        const lines: string[] = [];
        let j = eol + 1;
        line++;
        while (j < n) {
          const e = text.indexOf('\n', j);
          const l = text.slice(j, e === -1 ? n : e).trimEnd();
          j = e === -1 ? n : e + 1;
          line++;
          if (l === '##') break;
          lines.push(l.replace(/^# ?/, ''));
        }
        tokens.push({ kind: 'doc', value: lines.join('\n'), line: startLine });
        i = j;
      } else {
        i = eol === -1 ? n : eol;
      }
    } else if ('{}[]:,'.includes(c)) {
      tokens.push({ kind: 'punct', value: c, line });
      i++;
    } else if (c === "'") {
      let j = i + 1;
      let value = '';
      while (j < n && text[j] !== "'") {
        if (text[j] === '\\') j++;
        if (text[j] === '\n') throw new QapiSchemaError(file, line, 'unterminated string');
        value += text[j];
        j++;
      }
      if (j >= n) throw new QapiSchemaError(file, line, 'unterminated string');
      tokens.push({ kind: 'string', value, line });
      i = j + 1;
    } else if (text.startsWith('true', i) || text.startsWith('false', i)) {
      const value = text.startsWith('true', i) ? 'true' : 'false';
      tokens.push({ kind: 'bool', value, line });
      i += value.length;
    } else {
      throw new QapiSchemaError(file, line, `unexpected character ${JSON.stringify(c)}`);
    }
  }
  return tokens;
}

class TokenStream {
  pos = 0;
  constructor(
    readonly tokens: Token[],
    readonly file: string,
  ) {}

  peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  next(): Token {
    const t = this.tokens[this.pos++];
    if (!t) throw new QapiSchemaError(this.file, this.tokens.at(-1)?.line ?? 0, 'unexpected end');
    return t;
  }

  expect(value: string): void {
    const t = this.next();
    if (t.kind !== 'punct' || t.value !== value) {
      throw new QapiSchemaError(this.file, t.line, `expected '${value}', got '${t.value}'`);
    }
  }

  value(): QapiValue {
    const t = this.next();
    if (t.kind === 'string') return t.value;
    if (t.kind === 'bool') return t.value === 'true';
    if (t.kind === 'punct' && t.value === '{') {
      const obj: Record<string, QapiValue> = {};
      if (this.peek()?.value === '}') {
        this.next();
        return obj;
      }
      for (;;) {
        const key = this.next();
        if (key.kind !== 'string') {
          throw new QapiSchemaError(this.file, key.line, `expected a key, got '${key.value}'`);
        }
        this.expect(':');
        obj[key.value] = this.value();
        const sep = this.next();
        if (sep.value === '}') return obj;
        if (sep.value !== ',')
          throw new QapiSchemaError(this.file, sep.line, "expected ',' or '}'");
      }
    }
    if (t.kind === 'punct' && t.value === '[') {
      const list: QapiValue[] = [];
      if (this.peek()?.value === ']') {
        this.next();
        return list;
      }
      for (;;) {
        list.push(this.value());
        const sep = this.next();
        if (sep.value === ']') return list;
        if (sep.value !== ',')
          throw new QapiSchemaError(this.file, sep.line, "expected ',' or ']'");
      }
    }
    throw new QapiSchemaError(this.file, t.line, `unexpected '${t.value}'`);
  }
}

function docSince(doc: string): { since?: string; members: Map<string, string> } {
  const members = new Map<string, string>();
  let since: string | undefined;
  let current: string | undefined;
  for (const raw of doc.split('\n')) {
    const member = /^@([\w-]+):/.exec(raw);
    if (member) current = member[1];
    else if (/^\S/.test(raw) && !raw.startsWith('@')) current = undefined;
    const top = /^Since:\s*([\d.]+)/.exec(raw);
    if (top) since = top[1];
    const inline = /\([Ss]ince:? ([\d.]+)\)/.exec(raw);
    if (inline && current && !members.has(current)) members.set(current, inline[1] as string);
  }
  return { since, members };
}

/** Parses `entry` and everything it includes (each file once), in schema order. */
export function parseSchema(entry: string, root = dirname(entry)): QapiExpression[] {
  const seen = new Set<string>();
  const out: QapiExpression[] = [];
  const visit = (path: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    const file = relative(root, path);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new QapiSchemaError(file, 0, `cannot read: ${(err as Error).message}`);
    }
    const stream = new TokenStream(tokenize(text, file), file);
    let doc: string | undefined;
    while (stream.peek()) {
      const t = stream.peek() as Token;
      if (t.kind === 'doc') {
        stream.next();
        doc = t.value;
        continue;
      }
      const expr = stream.value();
      if (typeof expr !== 'object' || Array.isArray(expr)) {
        throw new QapiSchemaError(file, t.line, 'top-level value is not an expression object');
      }
      if (typeof expr.include === 'string') {
        visit(join(dirname(path), expr.include));
      } else if (!('pragma' in expr)) {
        const info = doc ? docSince(doc) : { since: undefined, members: new Map<string, string>() };
        out.push({ expr, file, line: t.line, since: info.since, memberSince: info.members });
      }
      doc = undefined;
    }
  };
  visit(entry);
  return out;
}
