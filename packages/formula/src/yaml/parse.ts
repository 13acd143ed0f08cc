import type { Document } from 'yaml';
import {
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseAllDocuments,
} from 'yaml';
import type { FormulaIssue } from '../errors.js';

/** Formulas are small: a bigger file is a mistake or an attack. */
export const DEFAULT_MAX_BYTES = 256 * 1024;
/** Bounds alias expansion (the "billion laughs" of YAML) while allowing ordinary reuse. */
export const DEFAULT_MAX_ALIAS_COUNT = 100;
/** A formula nests five or six levels; this bounds the recursion of everything that walks one. */
export const DEFAULT_MAX_NESTING = 64;

export interface ParseYamlOptions {
  file?: string;
  /** Texts (and files) over this many UTF-8 bytes are refused; default 256 KiB. */
  maxBytes?: number;
  maxAliasCount?: number;
  /** Collections nested deeper than this are refused; default 64. */
  maxNesting?: number;
}

/**
 * The first line of a YAML parser message, without the text it quotes (`Unresolved tag:
 * !x`, `Unexpected scalar token in YAML stream: "x"`): the issue's line and column say where,
 * and a file that is not a formula must not have its content echoed.
 */
function yamlMessage(message: string): string {
  const first = message.split('\n')[0] ?? message;
  if (first.startsWith('Unknown directive')) return 'Unknown directive';
  if (/call stack/i.test(first)) return 'collections nested too deep';
  return first.replace(/:\s.*$/, '');
}

/** How deep the document's collections nest, walked without recursion; stops past `bound`. */
function nestingDepth(root: unknown, bound: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[root, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (!isMap(node) && !isSeq(node)) continue;
    deepest = Math.max(deepest, depth + 1);
    if (deepest > bound) return deepest;
    for (const item of node.items) {
      if (isPair(item)) stack.push([item.key, depth + 1], [item.value, depth + 1]);
      else stack.push([item, depth + 1]);
    }
  }
  return deepest;
}

/** A parsed YAML document that still knows where each value came from. */
export interface SourceDocument {
  file: string;
  value: unknown;
  document: Document.Parsed;
  lineCounter: LineCounter;
}

export type ParseYamlResult =
  | { ok: true; source: SourceDocument }
  | { ok: false; issues: FormulaIssue[] };

/**
 * Parses one YAML document with the YAML 1.2 core schema only: no custom tags, so no tag can
 * construct objects or run code, and an unknown tag (`!!python/object`) is an error rather
 * than a warning. Duplicate keys are errors too.
 */
export function parseFormulaYaml(text: string, options: ParseYamlOptions = {}): ParseYamlResult {
  const file = options.file ?? '<formula>';
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > maxBytes) {
    const message = `the file is ${bytes} bytes, more than the ${maxBytes} a formula may have`;
    return { ok: false, issues: [{ file, line: 1, column: 1, path: '', kind: 'size', message }] };
  }
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, {
    lineCounter,
    schema: 'core',
    customTags: [],
    merge: false,
    uniqueKeys: true,
    strict: true,
    prettyErrors: false,
    stringKeys: true,
  });
  const issueAt = (offset: number, message: string): FormulaIssue => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col, path: '', kind: 'yaml', message };
  };
  if (!Array.isArray(documents) || documents.length === 0) {
    return { ok: false, issues: [issueAt(0, 'the file holds no YAML document')] };
  }
  const issues: FormulaIssue[] = [];
  for (const [index, doc] of documents.entries()) {
    if (index > 0) issues.push(issueAt(doc.range[0], 'a formula file holds one YAML document'));
    for (const problem of [...doc.errors, ...doc.warnings]) {
      issues.push(issueAt(problem.pos[0], yamlMessage(problem.message)));
    }
  }
  const document = documents[0] as Document.Parsed;
  if (issues.length > 0) return { ok: false, issues };
  const maxNesting = options.maxNesting ?? DEFAULT_MAX_NESTING;
  if (nestingDepth(document.contents, maxNesting) > maxNesting) {
    return { ok: false, issues: [issueAt(0, `collections nest deeper than ${maxNesting} levels`)] };
  }
  try {
    const value = document.toJS({
      maxAliasCount: options.maxAliasCount ?? DEFAULT_MAX_ALIAS_COUNT,
    });
    return { ok: true, source: { file, value, document, lineCounter } };
  } catch (error) {
    const message = error instanceof Error ? yamlMessage(error.message) : 'not valid YAML';
    return { ok: false, issues: [issueAt(0, `YAML aliases: ${message}`)] };
  }
}

/** Where a path points in the document: the key of the deepest entry that exists on it. */
export interface SourcePosition {
  line: number;
  column: number;
  /** How many path segments were found; less than the path's length for a missing key. */
  depth: number;
}

/**
 * Locates `path` in the document. For a key that is there, the position of its key (what an
 * editor underlines); for a list item, the item; when the path leaves the document (a missing
 * key), the deepest entry that exists.
 */
export function locate(source: SourceDocument, path: readonly PropertyKey[]): SourcePosition {
  let node: unknown = source.document.contents;
  let at: Node | null | undefined = source.document.contents;
  let depth = 0;
  for (const segment of path) {
    if (isAlias(node)) node = node.resolve(source.document);
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && item.key.value === segment);
      if (!pair) break;
      at = isScalar(pair.key) ? pair.key : at;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number' && node.items[segment] !== undefined) {
      node = node.items[segment];
      at = node as Node;
    } else {
      break;
    }
    depth += 1;
  }
  const offset = at?.range?.[0] ?? 0;
  const { line, col } = source.lineCounter.linePos(offset);
  return { line, column: col, depth };
}

/** `devices[2].pci.address` */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text === '' ? String(segment) : `.${String(segment)}`;
  }
  return text;
}
