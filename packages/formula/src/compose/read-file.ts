import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { FormulaFileError } from '../errors.js';
import { DEFAULT_MAX_BYTES } from '../yaml/parse.js';

export interface ReadFormulaFileOptions {
  /**
   * Files over this many bytes are refused before they are read; default `DEFAULT_MAX_BYTES`
   * (256 KiB), the bound the YAML parser holds formulas to.
   */
  maxBytes?: number;
  /** The formula that named the file, for the error message. */
  from?: string;
}

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

// O_NONBLOCK: opening a FIFO with no writer returns at once instead of waiting for one, so
// fstat can refuse it. The file is opened once and every check is made on that descriptor,
// so a path swapped between a check and the read changes nothing.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

/**
 * Reads a formula file as UTF-8, refusing anything but a regular file of at most
 * `maxBytes` bytes. The size is checked twice: from `fstat` before reading, and while
 * reading, since some files (`/proc/self/environ`) report a size of 0 and hold more.
 * Errors are `FormulaFileError`s naming the path and the problem, never the content.
 * Symbolic links are followed; what they point at is checked like any file.
 */
export function readFormulaFile(path: string, options: ReadFormulaFileOptions = {}): string {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const refuse = (problem: string, cause?: unknown): never => {
    throw new FormulaFileError(
      path,
      problem,
      options.from,
      cause === undefined ? undefined : { cause },
    );
  };
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    return refuse(`cannot be opened (${code})`, error);
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) return refuse(`is ${kindOf(stats)}, not a formula file`);
    if (stats.size > maxBytes) {
      return refuse(`is ${stats.size} bytes, more than the ${maxBytes} a formula file may have`);
    }
    const chunks: Buffer[] = [];
    let total = 0;
    // One byte more than the bound tells a file at the bound from one past it.
    const chunk = Buffer.allocUnsafe(Math.min(maxBytes + 1, 64 * 1024));
    for (;;) {
      let read: number;
      try {
        read = readSync(fd, chunk, 0, Math.min(chunk.length, maxBytes + 1 - total), null);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'error';
        return refuse(`cannot be read (${code})`, error);
      }
      if (read === 0) break;
      chunks.push(Buffer.from(chunk.subarray(0, read)));
      total += read;
      if (total > maxBytes) {
        return refuse(`holds more than the ${maxBytes} bytes a formula file may have`);
      }
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
