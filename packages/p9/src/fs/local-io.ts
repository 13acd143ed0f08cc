import fs from 'node:fs';
import { promisify } from 'node:util';

/** Promise versions of the descriptor calls LocalFs needs (fs.promises only has FileHandle). */
export const openFd = promisify(fs.open) as (
  path: string,
  flags: number,
  mode?: number,
) => Promise<number>;
/** close(2) never waits on a local filesystem; doing it inline saves a thread-pool hop. */
export const closeFd = (fd: number): void => fs.closeSync(fd);
/** close(2) for descriptors being released: a failure leaves nothing to undo. */
export function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // Already closed or never valid: the descriptor is gone either way.
  }
}
/**
 * Opens that cannot block (O_PATH, or O_CREAT|O_EXCL of a new file, or regular files and
 * directories) run inline: a microsecond syscall against a thread-pool round trip. FIFOs and
 * devices, whose open may wait for a peer, go through `openFd`. The inline helpers are plain
 * functions, not async ones: awaiting them would suspend the caller for nothing.
 */
export const openNow = (path: string, flags: number, mode?: number): number =>
  fs.openSync(path, flags, mode);
/**
 * fstat runs synchronously: on a local filesystem it costs about a microsecond, far less than
 * a round trip through libuv's thread pool, and it is the hottest call (every Tgetattr/Twalk).
 */
export const fstatBig = (fd: number): fs.BigIntStats => fs.fstatSync(fd, { bigint: true });
/**
 * open(2) that answers a missing name with `undefined` instead of an exception. Node builds
 * every failed call's Error with a stack trace, the costliest part of the failure; the common
 * failure (each create looks its name up first) skips it. Other errors throw as usual, with
 * no stack either: their errno code is all the server uses.
 */
export function openIfExists(path: string, flags: number): number | undefined {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return fs.openSync(path, flags);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  } finally {
    Error.stackTraceLimit = limit;
  }
}
/** lstat, or undefined when the entry is gone (or no longer reachable). */
export function lstatQuiet(path: string): fs.BigIntStats | undefined {
  try {
    return fs.lstatSync(path, { bigint: true });
  } catch {
    return undefined;
  }
}
/** Reads up to 128 KiB synchronously (page-cache hits beat a thread-pool hop); more async. */
export const readFd = (fd: number, buf: Buffer, position: bigint): Promise<number> =>
  buf.length <= 128 * 1024
    ? Promise.resolve(fs.readSync(fd, buf, 0, buf.length, position))
    : new Promise((resolve, reject) =>
        fs.read(fd, buf, 0, buf.length, position, (err, n) => (err ? reject(err) : resolve(n))),
      );
/** Writes up to 128 KiB synchronously (into the page cache); larger writes go async. */
export const writeFd = (fd: number, buf: Buffer, position: bigint): Promise<number> =>
  buf.length <= 128 * 1024
    ? Promise.resolve(fs.writeSync(fd, buf, 0, buf.length, Number(position)))
    : new Promise((resolve, reject) =>
        fs.write(fd, buf, 0, buf.length, Number(position), (err, n) =>
          err ? reject(err) : resolve(n),
        ),
      );
export const ftruncateFd = promisify(fs.ftruncate);
export const fsyncFd = promisify(fs.fsync);
export const fdatasyncFd = promisify(fs.fdatasync);
export const futimesFd = promisify(fs.futimes);
export const fchmodFd = promisify(fs.fchmod);
export const fchownFd = promisify(fs.fchown);
