import { readFileSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import {
  ExtendsCycleError,
  type FormulaIssue,
  FormulaNotFoundError,
  FormulaValidationError,
} from '../errors.js';
import { type Boot, type FormulaDocument, FormulaDocumentSchema } from '../schema/formula.js';
import { toFormulaIssues, validateFormulaText } from '../validate.js';
import type { ParseYamlOptions, SourceDocument } from '../yaml/parse.js';
import { createFileLoader, type FormulaLoader, type LoadedFormula } from './loader.js';
import { inheritable, mergeFormulaValues } from './merge.js';
import { absolutizeHostPaths } from './paths.js';
import { checkResolved } from './rules.js';

/**
 * A formula with its bases merged in, defaults applied and children resolved: what the
 * compilers take. `source` is the file it came from.
 */
export interface ResolvedFormula
  extends Omit<FormulaDocument, 'extends' | 'children' | 'name' | 'category' | 'boot'> {
  name: string;
  category: string;
  boot?: Boot;
  source: string;
  children: ResolvedFormula[];
}

export interface ResolveOptions extends Omit<ParseYamlOptions, 'file'> {
  /** Finds `extends:` and `children:` references; default: files and catalog folders. */
  loader?: FormulaLoader;
}

interface Loaded {
  source: SourceDocument;
  raw: Record<string, unknown>;
}

class Resolver {
  private readonly loader: FormulaLoader;
  private readonly cache = new Map<string, Loaded>();

  constructor(private readonly options: ResolveOptions) {
    this.loader = options.loader ?? createFileLoader();
  }

  /** Parses and validates one file on its own, throwing every issue it has. */
  private parse(loaded: LoadedFormula): Loaded {
    const cached = this.cache.get(loaded.file);
    if (cached) return cached;
    const result = validateFormulaText(loaded.text, { ...this.options, file: loaded.file });
    if (!result.ok) throw new FormulaValidationError(result.issues);
    const raw = absolutizeHostPaths(
      result.source.value as Record<string, unknown>,
      dirname(loaded.file),
    );
    const entry = { source: result.source, raw };
    this.cache.set(loaded.file, entry);
    return entry;
  }

  /** The document merged with its bases, as written (no defaults yet). */
  private merged(loaded: LoadedFormula, stack: readonly string[]): Loaded {
    if (stack.includes(loaded.file)) throw new ExtendsCycleError([...stack, loaded.file]);
    const own = this.parse(loaded);
    const refs = own.raw['extends'];
    const bases = refs === undefined ? [] : Array.isArray(refs) ? refs : [refs];
    let value: unknown = {};
    for (const ref of bases as string[]) {
      const base = this.merged(this.loader.load(ref, loaded.file), [...stack, loaded.file]);
      value = mergeFormulaValues(value, inheritable(base.raw));
    }
    const { extends: _extends, ...rest } = own.raw;
    return { source: own.source, raw: mergeFormulaValues(value, rest) as Record<string, unknown> };
  }

  resolve(loaded: LoadedFormula, stack: readonly string[] = []): ResolvedFormula {
    const { source, raw } = this.merged(loaded, stack);
    const parsed = FormulaDocumentSchema.safeParse(raw);
    const issues: FormulaIssue[] = parsed.success
      ? checkResolved(parsed.data, source)
      : toFormulaIssues(parsed.error.issues, source);
    if (!parsed.success || issues.length > 0) throw new FormulaValidationError(issues);
    const { extends: _extends, children, ...document } = parsed.data;
    const name = document.name ?? '';
    const category = document.category ?? '';
    const resolvedChildren = children.map((child) => {
      const resolved = this.resolve(this.loader.load(child.formula, loaded.file), [
        ...stack,
        loaded.file,
      ]);
      return child.name === undefined ? resolved : { ...resolved, name: child.name };
    });
    return { ...document, name, category, source: loaded.file, children: resolvedChildren };
  }
}

/**
 * Loads a formula file, follows its `extends:` and `children:`, merges (see
 * `mergeFormulaValues` for the rules), applies defaults and checks what a portal needs.
 * Throws `FormulaValidationError` with every issue, `ExtendsCycleError`, or
 * `FormulaNotFoundError`.
 */
export function resolveFormulaFile(file: string, options: ResolveOptions = {}): ResolvedFormula {
  const path = resolvePath(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new FormulaNotFoundError(file, process.cwd(), [path], { cause: error });
  }
  return new Resolver(options).resolve({ file: path, text });
}

/** Like `resolveFormulaFile`, for text already in hand; `file` names it in errors. */
export function resolveFormulaText(
  text: string,
  file: string,
  options: ResolveOptions = {},
): ResolvedFormula {
  return new Resolver(options).resolve({ file, text });
}
