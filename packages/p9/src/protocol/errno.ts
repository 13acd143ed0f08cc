/**
 * The Linux errno values Rlerror carries. 9P2000.L sends the raw number, so these are the
 * x86/arm generic Linux numbers regardless of the host the server runs on.
 */
export const Errno = {
  EPERM: 1,
  ENOENT: 2,
  EINTR: 4,
  EIO: 5,
  ENXIO: 6,
  E2BIG: 7,
  EBADF: 9,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  EXDEV: 18,
  ENODEV: 19,
  ENOTDIR: 20,
  EISDIR: 21,
  EINVAL: 22,
  ENFILE: 23,
  EMFILE: 24,
  ETXTBSY: 26,
  EFBIG: 27,
  ENOSPC: 28,
  ESPIPE: 29,
  EROFS: 30,
  EMLINK: 31,
  ERANGE: 34,
  EDEADLK: 35,
  ENAMETOOLONG: 36,
  ENOLCK: 37,
  ENOSYS: 38,
  ENOTEMPTY: 39,
  ELOOP: 40,
  ENODATA: 61,
  EPROTO: 71,
  EBADMSG: 74,
  EOVERFLOW: 75,
  EOPNOTSUPP: 95,
  ECONNRESET: 104,
  ESTALE: 116,
  EDQUOT: 122,
  ECANCELED: 125,
} as const;

export type ErrnoName = keyof typeof Errno;

const namesByNumber = new Map<number, string>(Object.entries(Errno).map(([k, v]) => [v, k]));

/** `ENOENT` for 2; `errno 999` for numbers this table does not know. */
export function errnoName(errno: number): string {
  return namesByNumber.get(errno) ?? `errno ${errno}`;
}

/**
 * An error a backend throws to make the server answer Rlerror with `errno`. Node's own system
 * errors (with `code: 'ENOENT'` etc.) are mapped too, see `errnoOf`. It carries no stack
 * trace: it is an answer for the client, not a fault in the server, and it is made on hot
 * paths (every lookup of a name that does not exist yet), where capturing a stack costs more
 * than the lookup.
 */
export class FsError extends Error {
  readonly errno: number;

  constructor(errno: number, message?: string) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message ?? errnoName(errno));
    Error.stackTraceLimit = limit;
    this.errno = errno;
    this.name = 'FsError';
  }
}

/** Shorthand for backends: `throw fsError('ENOENT')`. */
export function fsError(name: ErrnoName, message?: string): FsError {
  return new FsError(Errno[name], message);
}

/** The errno to send for any thrown value: FsError, Node system errors, else EIO. */
export function errnoOf(err: unknown): number {
  if (err instanceof FsError) return err.errno;
  if (typeof err === 'object' && err !== null) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && code in Errno) return Errno[code as ErrnoName];
    if (code === 'ENOTSUP') return Errno.EOPNOTSUPP;
    if (code === 'ABORT_ERR') return Errno.EINTR;
  }
  return Errno.EIO;
}
