import { QmpArgumentError } from '../errors.js';
import { parseJson } from '../protocol/json.js';

/** A shell line turned into a command: `{ oob, name, args }`. */
export interface ShellCommand {
  name: string;
  args: Record<string, unknown> | undefined;
  oob: boolean;
}

/**
 * Parses a qmp-shell line. Either raw QMP JSON (`{"execute": "x", "arguments": {...}}`) or
 * `command key=value ...`, where values are read as JSON when they parse (numbers, booleans,
 * objects, lists, quoted strings) and as plain strings otherwise, and dotted keys nest
 * (`a.b=1` -> `{a: {b: 1}}`). A leading `!` asks for out-of-band execution.
 */
export function parseShellLine(line: string): ShellCommand | undefined {
  let text = line.trim();
  if (!text || text.startsWith('#')) return undefined;
  if (text.startsWith('{')) {
    let value: unknown;
    try {
      value = parseJson(text);
    } catch (err) {
      throw new QmpArgumentError('input', `invalid JSON: ${(err as Error).message}`);
    }
    const v = value as Record<string, unknown>;
    const name = v.execute ?? v['exec-oob'];
    if (typeof name !== 'string') {
      throw new QmpArgumentError('input', 'JSON input needs an "execute" or "exec-oob" member');
    }
    const args = v.arguments;
    if (args !== undefined && (typeof args !== 'object' || args === null || Array.isArray(args))) {
      throw new QmpArgumentError('arguments', 'must be a JSON object');
    }
    return { name, args: args as Record<string, unknown> | undefined, oob: 'exec-oob' in v };
  }
  let oob = false;
  if (text.startsWith('!')) {
    oob = true;
    text = text.slice(1).trim();
  }
  const tokens = splitTokens(text);
  const name = tokens.shift();
  if (!name) throw new QmpArgumentError('input', 'missing command name');
  if (tokens.length === 0) return { name, args: undefined, oob };
  const args: Record<string, unknown> = {};
  for (const token of tokens) {
    const eq = token.indexOf('=');
    if (eq <= 0) throw new QmpArgumentError(token, 'expected key=value');
    setPath(args, token.slice(0, eq), readValue(token.slice(eq + 1)));
  }
  return { name, args, oob };
}

function readValue(raw: string): unknown {
  try {
    return parseJson(raw);
  } catch {
    return raw;
  }
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let obj = target;
  for (const part of parts.slice(0, -1)) {
    const next = obj[part];
    if (next === undefined) obj[part] = {};
    else if (typeof next !== 'object' || next === null || Array.isArray(next)) {
      throw new QmpArgumentError(path, `"${part}" is already set to a non-object value`);
    }
    obj = obj[part] as Record<string, unknown>;
  }
  obj[parts.at(-1) as string] = value;
}

/** Splits on spaces outside quotes and brackets, so `x={"a": 1}` and `s="a b"` stay whole. */
function splitTokens(text: string): string[] {
  const tokens: string[] = [];
  let current = '';
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quote) {
      current += c;
      if (c === '\\') current += text[++i] ?? '';
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") {
      quote = c;
      current += c;
    } else if (c === '{' || c === '[') {
      depth++;
      current += c;
    } else if (c === '}' || c === ']') {
      depth--;
      current += c;
    } else if (/\s/.test(c) && depth === 0) {
      if (current) tokens.push(current);
      current = '';
    } else current += c;
  }
  if (quote) throw new QmpArgumentError('input', `unterminated ${quote} quote`);
  if (current) tokens.push(current);
  // Single-quoted values are a convenience: turn 'a b' into the JSON string "a b".
  return tokens.map((t) =>
    t.replace(/=('(?:[^'\\]|\\.)*')$/, (_m, q: string) => `=${JSON.stringify(q.slice(1, -1))}`),
  );
}
