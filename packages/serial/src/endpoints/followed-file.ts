import { type FileHandle, open } from 'node:fs/promises';
import { Duplex } from 'node:stream';
import { ReadOnlyEndpointError } from '../errors.js';
import { openFailure } from './errors-map.js';

export interface FollowFileOptions {
  /** Start at the beginning of the file (default) or at its current end. */
  from?: 'start' | 'end';
  /** How often to look for growth, in ms; default 100. */
  interval?: number;
}

/**
 * A log file (QEMU's `logfile=` of a chardev, a `file` chardev) read as it grows, like
 * `tail -f`, as a Duplex whose writable side refuses writes. A file cut shorter (rotated or
 * truncated) is read again from its start.
 */
export class FollowedFile extends Duplex {
  readonly path: string;
  readonly #handle: FileHandle;
  readonly #interval: number;
  #position: number;
  #timer: NodeJS.Timeout | undefined;
  #reading = false;

  constructor(path: string, handle: FileHandle, position: number, interval: number) {
    super({ allowHalfOpen: true });
    this.path = path;
    this.#handle = handle;
    this.#position = position;
    this.#interval = interval;
  }

  override _read(): void {
    if (!this.#reading) void this.#pump();
  }

  async #pump(): Promise<void> {
    this.#reading = true;
    try {
      const buffer = Buffer.allocUnsafe(64 * 1024);
      for (;;) {
        if (this.destroyed) return;
        const { bytesRead } = await this.#handle.read(buffer, 0, buffer.length, this.#position);
        if (bytesRead > 0) {
          this.#position += bytesRead;
          if (!this.push(Buffer.from(buffer.subarray(0, bytesRead)))) return;
          continue;
        }
        const { size } = await this.#handle.stat();
        if (size < this.#position) {
          this.#position = 0;
          continue;
        }
        await new Promise((resolve) => {
          this.#timer = setTimeout(resolve, this.#interval);
        });
      }
    } catch (error) {
      if (!this.destroyed) this.destroy(error as Error);
    } finally {
      this.#reading = false;
    }
  }

  override _write(_chunk: unknown, _encoding: BufferEncoding, callback: (e?: Error) => void): void {
    callback(new ReadOnlyEndpointError(this.path));
  }

  override _destroy(error: Error | null, callback: (e?: Error | null) => void): void {
    clearTimeout(this.#timer);
    this.#handle.close().then(
      () => callback(error),
      () => callback(error),
    );
  }
}

/** Opens `path` for following; fails with `ENDPOINT_NOT_FOUND` if it does not exist. */
export async function followFile(
  path: string,
  options: FollowFileOptions = {},
): Promise<FollowedFile> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw openFailure(path, error);
  }
  const position = options.from === 'end' ? (await handle.stat()).size : 0;
  return new FollowedFile(path, handle, position, options.interval ?? 100);
}
