/**
 * Every error this package throws is a `FormulaError` with a stable `code`, so callers branch
 * on `err.code` instead of parsing messages.
 */
export type FormulaErrorCode =
  | 'INVALID_FORMULA'
  | 'FORMULA_NOT_FOUND'
  | 'EXTENDS_CYCLE'
  | 'COMPILE_ERROR'
  | 'MAC_COLLISION'
  | 'FILE_REFUSED'
  | 'LIMIT_EXCEEDED';

export class FormulaError extends Error {
  readonly code: FormulaErrorCode;

  constructor(code: FormulaErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FormulaError';
    this.code = code;
  }
}

/**
 * One problem in a formula, located in its YAML: `file:line:column`, the path of the value
 * (`devices[2].pci.address`), what was expected there and, for a misspelt key or value, the
 * closest allowed one.
 */
export interface FormulaIssue {
  file: string;
  /** 1-based; 0 when the problem has no place in the text (it comes from a merge). */
  line: number;
  column: number;
  /** The value's path, `devices[2].pci.address`; empty for the whole document. */
  path: string;
  /** yaml, size, unknown-key, missing, invalid-type, invalid-value, invalid-format, range, rule */
  kind: string;
  message: string;
  expected?: string;
  suggestion?: string;
}

/** `file:line:column: path: message (did you mean "x"?)`: one line, as compilers print them. */
export function formatIssue(issue: FormulaIssue): string {
  const where = issue.line > 0 ? `${issue.file}:${issue.line}:${issue.column}` : issue.file;
  const path = issue.path ? `${issue.path}: ` : '';
  const hint = issue.suggestion === undefined ? '' : ` (did you mean "${issue.suggestion}"?)`;
  return `${where}: ${path}${issue.message}${hint}`;
}

/** A formula failed to parse or validate; `issues` lists every problem found, not the first. */
export class FormulaValidationError extends FormulaError {
  constructor(readonly issues: readonly FormulaIssue[]) {
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    super('INVALID_FORMULA', `${count} in formula:\n${issues.map(formatIssue).join('\n')}`);
    this.name = 'FormulaValidationError';
  }
}

/** `extends:` or `children:` names a formula that no loader can find. */
export class FormulaNotFoundError extends FormulaError {
  constructor(
    readonly reference: string,
    readonly from: string,
    readonly tried: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(
      'FORMULA_NOT_FOUND',
      `${from}: formula "${reference}" not found (tried ${tried.join(', ') || 'nothing'})`,
      options,
    );
    this.name = 'FormulaNotFoundError';
  }
}

/** Formulas extend (or hold as children) each other in a loop; `chain` is the loop. */
export class ExtendsCycleError extends FormulaError {
  constructor(readonly chain: readonly string[]) {
    super('EXTENDS_CYCLE', `formulas extend each other in a cycle: ${chain.join(' -> ')}`);
    this.name = 'ExtendsCycleError';
  }
}

/**
 * A valid formula cannot be compiled to the asked target (an abstract base, a PCI id the host
 * does not have). `formula` is the file it came from (its `source`).
 */
export class FormulaCompileError extends FormulaError {
  constructor(
    readonly formula: string,
    message: string,
  ) {
    super('COMPILE_ERROR', `${formula}: ${message}`);
    this.name = 'FormulaCompileError';
  }
}

/** Two portals of one set were given the same fixed MAC address. */
export class MacCollisionError extends FormulaError {
  constructor(
    readonly mac: string,
    readonly owners: readonly string[],
  ) {
    super('MAC_COLLISION', `MAC ${mac} is fixed by more than one interface: ${owners.join(', ')}`);
    this.name = 'MacCollisionError';
  }
}

/**
 * A file a formula names (or the formula file itself) was not read: it is not a regular file,
 * it is over the size bound, or it cannot be opened. The message names the path and the
 * problem, never the file's content.
 */
export class FormulaFileError extends FormulaError {
  constructor(
    readonly path: string,
    readonly problem: string,
    /** The formula that named the file, when another formula did. */
    readonly from?: string,
    options?: { cause?: unknown },
  ) {
    super('FILE_REFUSED', `${from === undefined ? '' : `${from}: `}${path}: ${problem}`, options);
    this.name = 'FormulaFileError';
  }
}

/** Composition went past a bound: `extends:`/`children:` nested too deep or too many formulas. */
export class FormulaLimitError extends FormulaError {
  constructor(
    readonly limit: string,
    readonly bound: number,
    message: string,
  ) {
    super('LIMIT_EXCEEDED', message);
    this.name = 'FormulaLimitError';
  }
}
