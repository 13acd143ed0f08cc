import type { z } from 'zod';
import type { FormulaIssue } from './errors.js';
import { API_VERSION, type FormulaDocument, FormulaDocumentSchema } from './schema/formula.js';
import { knownKeys } from './schema/known-keys.js';
import { didYouMean } from './schema/suggest.js';
import {
  formatPath,
  locate,
  type ParseYamlOptions,
  parseFormulaYaml,
  type SourceDocument,
} from './yaml/parse.js';

export type ValidationResult =
  | { ok: true; document: FormulaDocument; source: SourceDocument }
  | { ok: false; issues: FormulaIssue[]; source?: SourceDocument };

/**
 * Parses and validates one formula file (without following `extends:`), reporting every
 * problem at once, each with its line, column and path.
 */
export function validateFormulaText(
  text: string,
  options: ParseYamlOptions = {},
): ValidationResult {
  const parsed = parseFormulaYaml(text, options);
  if (!parsed.ok) return parsed;
  const top = parsed.source.value;
  if (typeof top !== 'object' || top === null || Array.isArray(top)) {
    // Said without quoting the value: a file named by mistake (or malice) is not echoed.
    const what = top === null ? 'empty' : Array.isArray(top) ? 'a list' : `a ${typeof top}`;
    const issue: FormulaIssue = {
      file: parsed.source.file,
      line: 1,
      column: 1,
      path: '',
      kind: 'invalid-type',
      message: `not a formula: the document is ${what}, not a map of formula keys`,
      expected: 'a map',
    };
    return { ok: false, issues: [issue], source: parsed.source };
  }
  const result = FormulaDocumentSchema.safeParse(parsed.source.value);
  if (result.success) return { ok: true, document: result.data, source: parsed.source };
  const header = top as Record<string, unknown>;
  // A document without the formula header is some other YAML file: only the header is
  // reported, so its keys (a secrets file's, say) are not echoed back.
  const isFormula = header['apiVersion'] === API_VERSION && header['kind'] === 'Portal';
  const zodIssues = isFormula
    ? result.error.issues
    : result.error.issues.filter((i) => i.path[0] === 'apiVersion' || i.path[0] === 'kind');
  return { ok: false, issues: toFormulaIssues(zodIssues, parsed.source), source: parsed.source };
}

type Segment = PropertyKey;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'string')
    return `"${value.length > 40 ? `${value.slice(0, 40)}...` : value}"`;
  return String(value);
}

function valueAt(root: unknown, path: readonly Segment[]): unknown {
  let value = root;
  for (const segment of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[segment];
  }
  return value;
}

/** What one zod issue says was expected, in words a formula author reads. */
function expectation(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.expected === 'int' ? 'an integer' : `${issue.expected}`;
    case 'invalid_value':
      return issue.values.length === 1
        ? JSON.stringify(issue.values[0])
        : `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_format':
    case 'custom':
      return issue.message;
    case 'too_small':
      return `${issue.origin === 'string' ? 'length ' : ''}${issue.inclusive === false ? '>' : '>='} ${String(issue.minimum)}`;
    case 'too_big':
      return `${issue.origin === 'string' ? 'length ' : ''}${issue.inclusive === false ? '<' : '<='} ${String(issue.maximum)}`;
    case 'invalid_union': {
      if ('options' in issue && Array.isArray(issue.options)) {
        return `one of ${issue.options.map((v) => JSON.stringify(v)).join(', ')}`;
      }
      const alternatives = issue.errors.map((branch) => branch.map(expectation).join(' and '));
      return [...new Set(alternatives)].join(' or ');
    }
    default:
      return issue.message;
  }
}

function issueKind(issue: z.core.$ZodIssue, value: unknown): string {
  if (issue.code === 'invalid_type') return value === undefined ? 'missing' : 'invalid-type';
  if (issue.code === 'invalid_value' || issue.code === 'invalid_union') return 'invalid-value';
  if (issue.code === 'invalid_format') return 'invalid-format';
  if (issue.code === 'too_small' || issue.code === 'too_big') return 'range';
  return 'rule';
}

/** Turns zod's issues into located formula issues, one per unknown key. */
export function toFormulaIssues(
  issues: readonly z.core.$ZodIssue[],
  source: SourceDocument,
): FormulaIssue[] {
  const out: FormulaIssue[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      const candidates = knownKeys(issue.path);
      for (const key of issue.keys) {
        const path = [...issue.path, key];
        const at = locate(source, path);
        const suggestion = didYouMean(key, candidates);
        out.push({
          file: source.file,
          line: at.line,
          column: at.column,
          path: formatPath(path),
          kind: 'unknown-key',
          message: `unknown key "${key}"`,
          expected: candidates.length > 0 ? `one of ${candidates.join(', ')}` : 'no such key',
          ...(suggestion === undefined ? {} : { suggestion }),
        });
      }
      continue;
    }
    const value = valueAt(source.value, issue.path);
    const at = locate(source, issue.path);
    const expected = expectation(issue);
    const kind = issueKind(issue, value);
    let message: string;
    const last = issue.path[issue.path.length - 1];
    if (kind === 'missing') message = `missing required key "${String(last)}" (${expected})`;
    else if (kind === 'rule') message = expected;
    else message = `expected ${expected}, got ${describe(value)}`;
    const options =
      issue.code === 'invalid_value'
        ? issue.values.filter((v): v is string => typeof v === 'string')
        : issue.code === 'invalid_union' && 'options' in issue && Array.isArray(issue.options)
          ? issue.options.filter((v): v is string => typeof v === 'string')
          : [];
    const suggestion = typeof value === 'string' ? didYouMean(value, options) : undefined;
    out.push({
      file: source.file,
      line: at.line,
      column: at.column,
      path: formatPath(issue.path),
      kind,
      message,
      expected,
      ...(suggestion === undefined ? {} : { suggestion }),
    });
  }
  // "exactly one of" on an entry whose only problem is a misspelt key says nothing new.
  const unknownParents = new Set(
    out
      .filter((i) => i.kind === 'unknown-key')
      .map((i) => i.path.replace(/(\.[^.[\]]+|\[\d+\])$/, '')),
  );
  return out
    .filter((i) => i.kind !== 'rule' || !unknownParents.has(i.path))
    .sort((a, b) => a.line - b.line || a.column - b.column);
}
