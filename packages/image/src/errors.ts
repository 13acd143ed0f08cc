/**
 * Every error this package throws is an `ImageError` with a stable `code`, so callers can
 * branch on `err.code` instead of parsing messages. Subclasses carry the fields that say
 * what was wrong and where.
 */
export type ImageErrorCode =
  | 'INVALID_OPTION'
  | 'KERNEL_NOT_FOUND'
  | 'MODULE_NOT_FOUND'
  | 'FILE_NOT_FOUND'
  | 'QEMU_NOT_FOUND'
  | 'GUEST_EXITED'
  | 'GUEST_TIMEOUT'
  | 'TOOL_NOT_FOUND'
  | 'BUILD_FAILED'
  | 'DIGEST_MISMATCH'
  | 'FETCH_FAILED'
  | 'UNBUILDABLE_FORMULA';

export class ImageError extends Error {
  readonly code: ImageErrorCode;

  constructor(code: ImageErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ImageError';
    this.code = code;
  }
}

/** An option passed to a builder or launcher is invalid; `option` names it. */
export class InvalidOptionError extends ImageError {
  constructor(
    readonly option: string,
    message: string,
  ) {
    super('INVALID_OPTION', `${option}: ${message}`);
    this.name = 'InvalidOptionError';
  }
}

/** No usable kernel under /boot (or the one asked for has no modules directory). */
export class KernelNotFoundError extends ImageError {
  constructor(message: string) {
    super('KERNEL_NOT_FOUND', message);
    this.name = 'KernelNotFoundError';
  }
}

/** A kernel module that was asked for is neither a module of this kernel nor built in. */
export class ModuleNotFoundError extends ImageError {
  constructor(
    readonly module: string,
    readonly kernelRelease: string,
  ) {
    super(
      'MODULE_NOT_FOUND',
      `kernel module "${module}" is not in /lib/modules/${kernelRelease}/modules.dep nor built in`,
    );
    this.name = 'ModuleNotFoundError';
  }
}

/** A host file that should go into the image does not exist or cannot be read. */
export class HostFileNotFoundError extends ImageError {
  constructor(
    readonly path: string,
    hint: string,
    options?: { cause?: unknown },
  ) {
    super('FILE_NOT_FOUND', `${path} not found: ${hint}`, options);
    this.name = 'HostFileNotFoundError';
  }
}

/** The QEMU binary is missing. */
export class QemuNotFoundError extends ImageError {
  constructor(readonly binary: string) {
    super(
      'QEMU_NOT_FOUND',
      `${binary} not found on PATH: install Debian's qemu-system-x86 package (apt-get install qemu-system-x86)`,
    );
    this.name = 'QemuNotFoundError';
  }
}

/** QEMU exited before the guest did what was expected; `stderr` holds what QEMU printed. */
export class GuestExitedError extends ImageError {
  constructor(
    message: string,
    readonly exitCode: number | null,
    readonly signal: NodeJS.Signals | null,
    readonly stderr: string,
  ) {
    super('GUEST_EXITED', stderr ? `${message}\n${stderr.trim()}` : message);
    this.name = 'GuestExitedError';
  }
}

/** A wait on the guest ran out of time; `output` holds the end of the console so far. */
export class GuestTimeoutError extends ImageError {
  constructor(
    message: string,
    readonly output: string,
  ) {
    super('GUEST_TIMEOUT', `${message}\n--- last console output ---\n${output}`);
    this.name = 'GuestTimeoutError';
  }
}

/** A program an image build needs (`mmdebstrap`, `mkfs.ext4`, `qemu-img`) is not installed. */
export class ToolNotFoundError extends ImageError {
  constructor(
    readonly tool: string,
    readonly debianPackage: string,
  ) {
    super(
      'TOOL_NOT_FOUND',
      `${tool} not found on PATH: install Debian's ${debianPackage} package (apt-get install ${debianPackage})`,
    );
    this.name = 'ToolNotFoundError';
  }
}

/**
 * One step of an OS image build failed or ran out of time. `step` names it (`mmdebstrap`,
 * `qemu-img convert`), `stderrTail` holds the end of what the tool printed.
 */
export class ImageBuildError extends ImageError {
  constructor(
    readonly step: string,
    readonly reason: string,
    readonly stderrTail: string,
    options?: { cause?: unknown },
  ) {
    super(
      'BUILD_FAILED',
      `image build step "${step}" failed: ${reason}${stderrTail ? `\n--- end of its output ---\n${stderrTail.trimEnd()}` : ''}`,
      options,
    );
    this.name = 'ImageBuildError';
  }
}

/** A downloaded or local image does not have the digest its name pins; nothing was kept. */
export class DigestMismatchError extends ImageError {
  constructor(
    readonly location: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(
      'DIGEST_MISMATCH',
      `${location}: expected digest ${expected}, got ${actual}; the file was not kept`,
    );
    this.name = 'DigestMismatchError';
  }
}

/** An image location could not be read or downloaded (HTTP status, network, missing file). */
export class ImageFetchError extends ImageError {
  constructor(
    readonly location: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super('FETCH_FAILED', `${location}: ${reason}`, options);
    this.name = 'ImageFetchError';
  }
}

/** A formula names an image this package cannot build; `reason` says which rule it broke. */
export class UnbuildableFormulaError extends ImageError {
  constructor(
    readonly formula: string,
    readonly reason: string,
  ) {
    super('UNBUILDABLE_FORMULA', `${formula}: ${reason}`);
    this.name = 'UnbuildableFormulaError';
  }
}
