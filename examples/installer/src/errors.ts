import { type FormulaIssue, formatIssue } from '@multiverse-os/formula';

export type InstallerErrorCode =
  | 'INVALID_CONFIG'
  | 'CONFIG_NOT_FOUND'
  | 'INVALID_PLAN'
  | 'MISSING_IMAGE'
  | 'LIBVIRT_FAILED'
  | 'DIRECT_FAILED'
  | 'USAGE';

/** Every error of the installer carries a stable `code`. */
export class InstallerError extends Error {
  readonly code: InstallerErrorCode;

  constructor(code: InstallerErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InstallerError';
    this.code = code;
  }
}

/** The host configuration failed to parse or validate; every problem, located. */
export class ConfigValidationError extends InstallerError {
  constructor(readonly issues: readonly FormulaIssue[]) {
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    super(
      'INVALID_CONFIG',
      `${count} in host configuration:\n${issues.map(formatIssue).join('\n')}`,
    );
    this.name = 'ConfigValidationError';
  }
}

/** A virsh command failed; `command` is what was sent, `output` what virsh said. */
export class LibvirtError extends InstallerError {
  constructor(
    readonly command: string,
    readonly output: string,
    options?: { cause?: unknown },
  ) {
    super('LIBVIRT_FAILED', `virsh ${command}: ${output.trim()}`, options);
    this.name = 'LibvirtError';
  }
}
