import { type FormulaIssue, formatIssue } from '@multiverse-os/formula';

export type RouterErrorCode = 'INVALID_PLAN' | 'PLAN_NOT_FOUND' | 'EMIT_FAILED' | 'USAGE';

/** Every error of the router example carries a stable `code`. */
export class RouterError extends Error {
  readonly code: RouterErrorCode;

  constructor(code: RouterErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RouterError';
    this.code = code;
  }
}

/** One problem of a plan, located like formula issues: `file:line:column: path: message`. */
export type PlanIssue = FormulaIssue;

/** The plan failed to parse or validate; `issues` lists every problem found. */
export class PlanValidationError extends RouterError {
  constructor(readonly issues: readonly PlanIssue[]) {
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    super('INVALID_PLAN', `${count} in network plan:\n${issues.map(formatIssue).join('\n')}`);
    this.name = 'PlanValidationError';
  }
}

export class PlanNotFoundError extends RouterError {
  constructor(
    readonly file: string,
    options?: { cause?: unknown },
  ) {
    super('PLAN_NOT_FOUND', `network plan ${file} cannot be read`, options);
    this.name = 'PlanNotFoundError';
  }
}

export class UsageError extends RouterError {
  constructor(message: string) {
    super('USAGE', message);
    this.name = 'UsageError';
  }
}
