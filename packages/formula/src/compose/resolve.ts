import { existsSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { checkCompiles } from '../compile/trial.js';
import {
  ExtendsCycleError,
  FormulaFileError,
  type FormulaIssue,
  FormulaLimitError,
  FormulaValidationError,
} from '../errors.js';
import { flattenPortals } from '../network/mac.js';
import { FormulaDocumentSchema } from '../schema/formula.js';
import { toFormulaIssues, validateFormulaText } from '../validate.js';
import { locate, type ParseYamlOptions, type SourceDocument } from '../yaml/parse.js';
import { createFileLoader, type FormulaLoader, type LoadedFormula } from './loader.js';
import { inheritable, mergeFormulaValues } from './merge.js';
import { absolutizeHostPaths } from './paths.js';
import { readFormulaFile } from './read-file.js';
import type { ResolvedFormula } from './resolved.js';
import { checkResolved } from './rules.js';

export type { ResolvedFormula } from './resolved.js';

/** How deep `extends:` and `children:` may nest, counting the formula itself as 1. */
export const DEFAULT_MAX_COMPOSE_DEPTH = 32;
/** How many formula loads one resolution may make (every base and child, each time). */
export const DEFAULT_MAX_FORMULA_LOADS = 1000;

export interface ResolveOptions extends Omit<ParseYamlOptions, 'file'> {
  /** Finds `extends:` and `children:` references; default: files and catalog folders. */
  loader?: FormulaLoader;
  /** Bound on the nesting of `extends:` and `children:`; default 32. */
  maxDepth?: number;
  /**
   * Bound on formulas loaded (a base reached twice counts twice): children that each hold the
   * same children grow as a power of the depth, so depth alone does not bound the work.
   * Default 1000.
   */
  maxLoads?: number;
}

interface Loaded {
  source: SourceDocument;
  raw: Record<string, unknown>;
}

class Resolver {
  private readonly loader: FormulaLoader;
  private readonly cache = new Map<string, Loaded>();
  private loads = 0;

  constructor(private readonly options: ResolveOptions) {
    this.loader =
      options.loader ??
      createFileLoader(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes });
  }

  /** Loads `reference` for the formula on top of `stack`, within the depth and load bounds. */
  private load(reference: string, stack: readonly string[]): LoadedFormula {
    const from = stack[stack.length - 1] ?? '';
    const maxDepth = this.options.maxDepth ?? DEFAULT_MAX_COMPOSE_DEPTH;
    if (stack.length >= maxDepth) {
      throw new FormulaLimitError(
        'maxDepth',
        maxDepth,
        `${from}: extends/children nest deeper than ${maxDepth} formulas (at "${reference}")`,
      );
    }
    const maxLoads = this.options.maxLoads ?? DEFAULT_MAX_FORMULA_LOADS;
    if (++this.loads > maxLoads) {
      throw new FormulaLimitError(
        'maxLoads',
        maxLoads,
        `${from}: extends/children load more than ${maxLoads} formulas (at "${reference}")`,
      );
    }
    return this.loader.load(reference, from);
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
      const inner = [...stack, loaded.file];
      const base = this.merged(this.load(ref, inner), inner);
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
    const inner = [...stack, loaded.file];
    const resolvedChildren = children.map((child) => {
      const resolved = this.resolve(this.load(child.formula, inner), inner);
      return child.name === undefined ? resolved : { ...resolved, name: child.name };
    });
    // Portals are told apart by name (MACs, sockets, domains): one set holds each name once.
    const names = new Map<string, number>([[name, -1]]);
    const clashes: FormulaIssue[] = [];
    resolvedChildren.forEach((child, index) => {
      for (const portal of flattenPortals([child])) checkName(portal.name, index);
    });
    function checkName(portal: string, index: number): void {
      const first = names.get(portal);
      if (first === undefined) {
        names.set(portal, index);
        return;
      }
      const at = locate(source, ['children', index]);
      clashes.push({
        file: source.file,
        line: at.line,
        column: at.column,
        path: `children[${index}]`,
        kind: 'rule',
        message: `portal name "${portal}" is taken by ${first < 0 ? 'the formula itself' : `children[${first}]`}`,
        expected: 'a unique name (children[].name renames a child)',
      });
    }
    if (clashes.length > 0) throw new FormulaValidationError(clashes);
    return { ...document, name, category, source: loaded.file, children: resolvedChildren };
  }
}

/**
 * Loads a formula file, follows its `extends:` and `children:`, merges (see
 * `mergeFormulaValues` for the rules), applies defaults and checks what a portal needs.
 * Throws `FormulaValidationError` with every issue, `ExtendsCycleError`,
 * `FormulaNotFoundError` (a base or child), `FormulaCompileError` or `MacCollisionError` (it compiles the
 * portal and its children to libvirt and QEMU, see `checkCompiles`), `FormulaFileError` (a named file that is not a regular file or is
 * too big) or `FormulaLimitError` (composition nested too deep or too wide).
 */
export function resolveFormulaFile(file: string, options: ResolveOptions = {}): ResolvedFormula {
  const path = resolvePath(file);
  // Said as the caller wrote it: the working folder is named only for a relative path.
  if (!existsSync(path)) {
    throw new FormulaFileError(
      file,
      path === file ? 'no such file' : `no such file (looked for ${path})`,
    );
  }
  const text = readFormulaFile(
    path,
    options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes },
  );
  const formula = new Resolver(options).resolve({ file: path, text });
  checkCompiles(formula);
  return formula;
}

/** Like `resolveFormulaFile`, for text already in hand; `file` names it in errors. */
export function resolveFormulaText(
  text: string,
  file: string,
  options: ResolveOptions = {},
): ResolvedFormula {
  const formula = new Resolver(options).resolve({ file, text });
  checkCompiles(formula);
  return formula;
}
