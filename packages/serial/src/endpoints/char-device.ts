import { constants } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { Duplex } from 'node:stream';
import { openFailure } from './errors-map.js';

/**
 * A character device that is not a terminal, read and written through plain file I/O: the
 * guest side of a virtio-serial port (`/dev/virtio-ports/<name>`). `serialport` cannot be used
 * there (it sets terminal attributes, which such devices refuse) and Node has no event-loop
 * handle for such devices. The device is opened non-blocking, so no thread-pool thread ever
 * sits in a read (a blocked read would also keep the process alive after close); while it has
 * no data, reads are retried with a backoff from 1 ms up to 50 ms. A read of zero bytes (the
 * host side went away) ends the stream.
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
      let idle = 1;
      for (;;) {
        if (this.destroyed) return;
        const buffer = Buffer.allocUnsafe(64 * 1024);
        const bytesRead = await retryLater(() => this.#handle.read(buffer, 0, buffer.length, null));
        if (bytesRead === undefined) {
          await sleep(idle);
          idle = Math.min(idle * 2, MAX_IDLE);
          continue;
        }
        idle = 1;
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
    let idle = 1;
    while (offset < chunk.length) {
      const written = await retryLater(() =>
        this.#handle.write(chunk, offset, chunk.length - offset, null),
      );
      if (written === undefined) {
        await sleep(idle);
        idle = Math.min(idle * 2, MAX_IDLE);
        continue;
      }
      idle = 1;
      offset += written;
    }
  }

  override _destroy(error: Error | null, callback: (e?: Error | null) => void): void {
    this.#handle.close().then(
      () => callback(error),
      () => callback(error),
    );
  }
}

const MAX_IDLE = 50;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The byte count of a read or write, or undefined when the device said EAGAIN. */
async function retryLater(
  io: () => Promise<{ bytesRead: number } | { bytesWritten: number }>,
): Promise<number | undefined> {
  try {
    const result = await io();
    return 'bytesRead' in result ? result.bytesRead : result.bytesWritten;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EAGAIN') return undefined;
    throw error;
  }
}

/** Opens a character device (or FIFO) for reading and writing, non-blocking. */
export async function openCharDevice(path: string): Promise<CharDevice> {
  try {
    const flags = constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK;
    return new CharDevice(path, await open(path, flags));
  } catch (error) {
    throw openFailure(path, error);
  }
}

/**
 * The guest side of a virtio-serial port: `/dev/virtio-ports/<name>` (udev's link to
 * `/dev/vportNpM`), or an absolute device path.
 */
export function openVirtioSerialGuest(name: string): Promise<CharDevice> {
  return openCharDevice(name.startsWith('/') ? name : `/dev/virtio-ports/${name}`);
}
