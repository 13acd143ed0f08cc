import { didYouMean, formatPath, locate, type SourceDocument } from '@multiverse-os/formula';
import type { z } from 'zod';
import type { PlanIssue } from './errors.js';
import { knownPlanKeys } from './schema.js';

/** An issue at `path` of the document, located at its key (or the deepest part that exists). */
export function issueAt(
  source: SourceDocument,
  path: readonly PropertyKey[],
  kind: string,
  message: string,
  suggestion?: string,
): PlanIssue {
  const at = locate(source, path);
  return {
    file: source.file,
    line: at.line,
    column: at.column,
    path: formatPath(path),
    kind,
    message,
    ...(suggestion === undefined ? {} : { suggestion }),
  };
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const segment of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[segment];
  }
  return value;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (value !== null && typeof value === 'object') return 'a map';
  return JSON.stringify(value);
}

/**
 * zod's issues as located issues, in document order; `knownKeys` lists the keys allowed at a
 * path, for "did you mean" (the installer passes its own).
 */
export function toPlanIssues(
  issues: readonly z.core.$ZodIssue[],
  source: SourceDocument,
  knownKeys: (path: readonly PropertyKey[]) => string[] = knownPlanKeys,
): PlanIssue[] {
  const out: PlanIssue[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeys(issue.path);
      for (const key of issue.keys) {
        out.push(
          issueAt(
            source,
            [...issue.path, key],
            'unknown-key',
            `unknown key "${key}"`,
            didYouMean(key, known),
          ),
        );
      }
      continue;
    }
    const value = valueAt(source.value, issue.path);
    const last = issue.path[issue.path.length - 1];
    let message: string;
    let kind = 'invalid-value';
    if (issue.code === 'invalid_type' && value === undefined) {
      kind = 'missing';
      message = `missing required key "${String(last)}" (${issue.expected})`;
    } else if (issue.code === 'invalid_value') {
      const expected = issue.values.map((v) => JSON.stringify(v)).join(' or ');
      message = `expected ${expected}, got ${describe(value)}`;
    } else if (issue.code === 'invalid_union') {
      message = `expected "off" or a map with start and end, got ${describe(value)}`;
    } else {
      message = `expected ${issue.message}, got ${describe(value)}`;
    }
    out.push(issueAt(source, issue.path, kind, message));
  }
  return out.sort((a, b) => a.line - b.line || a.column - b.column);
}
