import { constants } from 'node:os';

/** errno number -> name (`2` -> `ENOENT`), from the platform's own table. */
const errnoNames = new Map<number, string>(
  Object.entries(constants.errno).map(([name, value]) => [value, name]),
);

/** The errno name of a negative result (`-2` -> `ENOENT`); `EUNKNOWN` for a number it lacks. */
export function errnoName(result: number): string {
  return errnoNames.get(Math.abs(result)) ?? 'EUNKNOWN';
}

/**
 * Every error this package throws is an `FsatError` with a stable `code`: a system call's
 * failure uses the errno name (`ENOENT`, `EXDEV`, `ELOOP`...) and carries `errno`, `syscall`
 * and `path`, like Node's own fs errors; the addon's absence is `ERR_FSAT_ADDON`.
 */
export class FsatError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FsatError';
    this.code = code;
  }
}

/** A system call returned `-errno`. `path` is the name as the caller gave it. */
export class FsatSystemError extends FsatError {
  /** The positive errno number, as in `os.constants.errno`. */
  readonly errno: number;

  constructor(
    result: number,
    readonly syscall: string,
    readonly path?: string,
  ) {
    const code = errnoName(result);
    super(code, `${code}: ${syscall}${path === undefined ? '' : ` '${path}'`} failed`);
    this.name = 'FsatSystemError';
    this.errno = Math.abs(result);
  }
}

/** The native addon cannot be loaded: no prebuild for this platform and no local build. */
export class FsatAddonError extends FsatError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_FSAT_ADDON', message, options);
    this.name = 'FsatAddonError';
  }
}

/** Throws `FsatSystemError` for a negative result; returns a non-negative one as is. */
export function check(result: number, syscall: string, path?: string): number {
  if (result < 0) throw new FsatSystemError(result, syscall, path);
  return result;
}
