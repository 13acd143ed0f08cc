import { isDeepStrictEqual } from 'node:util';
import { isScalar, type Scalar } from 'yaml';
import type { FormulaLoader, LoadedFormula } from '../compose/loader.js';
import { createFileLoader } from '../compose/loader.js';
import { readFormulaFile } from '../compose/read-file.js';
import {
  type ResolvedFormula,
  type ResolveOptions,
  resolveFormulaFile,
} from '../compose/resolve.js';
import type { FormulaIssue } from '../errors.js';
import { formatPath, locate, parseFormulaYaml, type SourceDocument } from '../yaml/parse.js';
import { type FindingSegment, type LintCode, type LintFinding, lintFindings } from './rules.js';

/** A lint finding located in the YAML that wrote it: a warning, or an error under `--strict`. */
export interface LintIssue extends FormulaIssue {
  kind: 'lint';
  code: LintCode;
  /** What to change, in words (`readonly: true`), when it is not a misspelling. */
  fix?: string;
}

/** `file:line:column: warning[code]: path: message (did you mean "x"?)` */
export function formatLintIssue(
  issue: LintIssue,
  severity: 'warning' | 'error' = 'warning',
): string {
  const where = issue.line > 0 ? `${issue.file}:${issue.line}:${issue.column}` : issue.file;
  const path = issue.path ? `${issue.path}: ` : '';
  const hint = issue.suggestion === undefined ? '' : ` (did you mean "${issue.suggestion}"?)`;
  const fix = issue.fix === undefined ? '' : ` (fix: ${issue.fix})`;
  return `${where}: ${severity}[${issue.code}]: ${path}${issue.message}${hint}${fix}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The concrete path of a finding in one document, if the document writes that value. */
function concretePath(
  root: unknown,
  segments: readonly FindingSegment[],
): PropertyKey[] | undefined {
  const path: PropertyKey[] = [];
  let value = root;
  for (const segment of segments) {
    if (typeof segment === 'string') {
      if (!isRecord(value) || !(segment in value)) return undefined;
      value = value[segment];
      path.push(segment);
    } else if (typeof segment === 'number') {
      if (!Array.isArray(value) || segment >= value.length) return undefined;
      value = value[segment];
      path.push(segment);
    } else {
      if (!Array.isArray(value)) return undefined;
      const index = value.findIndex((item) =>
        'name' in segment
          ? isRecord(item) && item['name'] === segment.name
          : isDeepStrictEqual(item, segment.equals) ||
            // A document writes a device without its defaults; the resolved one has them.
            (isRecord(item) && isRecord(segment.equals) && isSubset(item, segment.equals)),
      );
      if (index < 0) return undefined;
      value = value[index];
      path.push(index);
    }
  }
  return path;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const segment of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[segment];
  }
  return value;
}

function isSubset(part: unknown, whole: unknown): boolean {
  if (!isRecord(part) || !isRecord(whole)) return isDeepStrictEqual(part, whole);
  return Object.entries(part).every(([key, value]) => isSubset(value, whole[key]));
}

function locateFinding(finding: LintFinding, sources: readonly SourceDocument[]): LintIssue {
  // The portal's own file first, then its bases: the first that writes the value wrote it.
  const ordered = [
    ...sources.filter((s) => s.file === finding.portal.source),
    ...sources.filter((s) => s.file !== finding.portal.source).reverse(),
  ];
  for (const source of ordered) {
    const path = concretePath(source.value, finding.path);
    if (path === undefined) continue;
    // A base may write the same key with another value: the writer holds the value found.
    if (
      finding.value !== undefined &&
      !isDeepStrictEqual(valueAt(source.value, path), finding.value)
    )
      continue;
    let { line, column } = locate(source, path);
    if (finding.offset !== undefined) {
      // Point into the string (the `console=` token) when it is written on one line.
      const node = source.document.getIn(path, true);
      if (isScalar(node) && node.range && typeof node.value === 'string') {
        const scalar = node as Scalar<string>;
        const quote = scalar.type === 'QUOTE_DOUBLE' || scalar.type === 'QUOTE_SINGLE' ? 1 : 0;
        const single = scalar.type === 'PLAIN' || quote === 1;
        if (single && !scalar.value.slice(0, finding.offset).includes('\n')) {
          const at = source.lineCounter.linePos((node.range[0] ?? 0) + quote + finding.offset);
          line = at.line;
          column = at.col;
        }
      }
    }
    return issue(finding, source.file, line, column, path);
  }
  return issue(finding, finding.portal.source, 0, 0, undefined);
}

function issue(
  finding: LintFinding,
  file: string,
  line: number,
  column: number,
  path: PropertyKey[] | undefined,
): LintIssue {
  const readable = finding.path.map((s) =>
    typeof s === 'object' ? ('name' in s ? `[name=${s.name}]` : '[]') : s,
  );
  return {
    file,
    line,
    column,
    path: path === undefined ? readable.join('.').replace(/\.\[/g, '[') : formatPath(path),
    kind: 'lint',
    code: finding.code,
    message: finding.message,
    ...(finding.suggestion === undefined ? {} : { suggestion: finding.suggestion }),
    ...(finding.fix === undefined ? {} : { fix: finding.fix }),
  };
}

export interface LintOptions {
  /** Networks the host plan defines; when given, other bridge networks are warned about. */
  networks?: readonly string[];
  /** The parsed files the portals came from (and their bases), to locate each warning. */
  sources?: readonly SourceDocument[];
}

/**
 * Lints resolved portals (and their children): what is valid but most likely a mistake, each
 * finding with a stable `code`, located in the file that wrote the value when `sources` are
 * given. Portals linted together are one set: a host device given to two of them is flagged.
 */
export function lintFormulas(
  portals: readonly ResolvedFormula[],
  options: LintOptions = {},
): LintIssue[] {
  const findings = lintFindings(
    portals,
    options.networks === undefined ? {} : { networks: options.networks },
  );
  return findings
    .map((finding) => locateFinding(finding, options.sources ?? []))
    .sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
}

/** A resolved formula and every file read to resolve it, parsed: what lint locates in. */
export interface LoadedFormulaFile {
  formula: ResolvedFormula;
  sources: SourceDocument[];
}

/**
 * `resolveFormulaFile`, keeping the parsed text of the file and of every base and child it
 * loaded, so that lint warnings point at the line that wrote the value.
 */
export function resolveFormulaFileWithSources(
  file: string,
  options: ResolveOptions = {},
): LoadedFormulaFile {
  const inner: FormulaLoader = options.loader ?? createFileLoader();
  const loaded: LoadedFormula[] = [];
  const loader: FormulaLoader = {
    load(reference, from) {
      const result = inner.load(reference, from);
      loaded.push(result);
      return result;
    },
  };
  const formula = resolveFormulaFile(file, { ...options, loader });
  const top = { file: formula.source, text: readFormulaFile(formula.source) };
  const sources: SourceDocument[] = [];
  const seen = new Set<string>();
  for (const { file: name, text } of [top, ...loaded]) {
    if (seen.has(name)) continue;
    seen.add(name);
    const parsed = parseFormulaYaml(text, { file: name });
    if (parsed.ok) sources.push(parsed.source);
  }
  return { formula, sources };
}
