import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { Duplex } from 'node:stream';
import { openFailure } from './errors-map.js';

/**
 * A character device that is not a terminal, read and written through plain file I/O: the
 * guest side of a virtio-serial port (`/dev/virtio-ports/<name>`). `serialport` cannot be used
 * there (it sets terminal attributes, which such devices refuse). Reads block a libuv
 * thread-pool thread while the device has no data, so keep at most a few open at once.
 * A read of zero bytes (the host side went away) ends the stream.
 */
export class CharDevice extends Duplex {
  readonly path: string;
  readonly #handle: FileHandle;
  #reading = false;

  constructor(path: string, handle: FileHandle) {
    super({ allowHalfOpen: false });
    this.path = path;
    this.#handle = handle;
  }

  override _read(): void {
    if (!this.#reading) void this.#pump();
  }

  async #pump(): Promise<void> {
    this.#reading = true;
    try {
      for (;;) {
        if (this.destroyed) return;
        const buffer = Buffer.allocUnsafe(64 * 1024);
        const { bytesRead } = await this.#handle.read(buffer, 0, buffer.length, null);
        if (bytesRead === 0) {
          this.push(null);
          return;
        }
        if (!this.push(buffer.subarray(0, bytesRead))) return;
      }
    } catch (error) {
      if (!this.destroyed) this.destroy(error as Error);
    } finally {
      this.#reading = false;
    }
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (e?: Error) => void): void {
    this.#writeAll(chunk).then(() => callback(), callback);
  }

  async #writeAll(chunk: Buffer): Promise<void> {
    let offset = 0;
    while (offset < chunk.length) {
      const { bytesWritten } = await this.#handle.write(chunk, offset, chunk.length - offset, null);
      offset += bytesWritten;
    }
  }

  override _destroy(error: Error | null, callback: (e?: Error | null) => void): void {
    this.#handle.close().then(
      () => callback(error),
      () => callback(error),
    );
  }
}

/** Opens a character device (or FIFO) for reading and writing. */
export async function openCharDevice(path: string): Promise<CharDevice> {
  try {
    return new CharDevice(path, await open(path, constants.O_RDWR | constants.O_NOCTTY));
  } catch (error) {
    throw openFailure(path, error);
  }
}
