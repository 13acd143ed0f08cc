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
  | 'GUEST_TIMEOUT';

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
