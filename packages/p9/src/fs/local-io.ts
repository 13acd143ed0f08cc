import fs from 'node:fs';
import { promisify } from 'node:util';

/**
 * Data calls on descriptors LocalFs holds: node:fs, so large transfers run on libuv's thread
 * pool. Up to 128 KiB runs synchronously: a page-cache hit beats a thread-pool round trip.
 */
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
