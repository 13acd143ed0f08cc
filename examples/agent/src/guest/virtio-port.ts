import { type FileHandle, open } from 'node:fs/promises';
import { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';

const CHUNK = 64 * 1024;
/**
 * How long reads must keep returning 0 bytes before the host counts as gone. A single 0 is not
 * enough: data can arrive before the guest learns that the host connected, and then the next
 * read returns 0 although the host is there.
 */
const HANGUP_MS = 1000;
const IDLE_MS = 50;

/**
 * One host connection on the guest side of a virtio-serial port. The guest reads 0 bytes
 * while no host is connected, and (not reliably: QEMU 7.2 socket chardevs) when the host goes
 * away. The file stays open across connections (reopening it would lose bytes a pending read
 * already took). `drained` resolves once this stream's reader has stopped, with the bytes a
 * read returned after the stream was destroyed: they start the next connection (a host that
 * reconnects after a failed session), so only one reader runs and nothing is dropped.
 */
class PortConnection extends Duplex {
  #pumping = false;
  #stopped = false;
  readonly drained: Promise<Buffer | undefined>;
  #resolveDrained!: (leftover: Buffer | undefined) => void;

  constructor(
    private readonly handle: FileHandle,
    first: Buffer,
  ) {
    super({ allowHalfOpen: false });
    this.drained = new Promise<Buffer | undefined>((resolve) => {
      this.#resolveDrained = resolve;
    });
    this.push(first);
  }

  override _read(): void {
    if (!this.#pumping && !this.#stopped) void this.#pump();
  }

  async #pump(): Promise<void> {
    this.#pumping = true;
    let zeroSince: number | undefined;
    try {
      for (;;) {
        const buffer = Buffer.allocUnsafe(CHUNK);
        const { bytesRead } = await this.handle.read(buffer, 0, CHUNK, null);
        if (bytesRead === 0) {
          zeroSince ??= Date.now();
          if (Date.now() - zeroSince < HANGUP_MS) {
            await sleep(IDLE_MS);
            continue;
          }
          this.#stop();
          this.push(null);
          return;
        }
        zeroSince = undefined;
        if (this.destroyed) {
          this.#stop(buffer.subarray(0, bytesRead));
          return;
        }
        if (!this.push(buffer.subarray(0, bytesRead))) return;
      }
    } catch (error) {
      this.#stop();
      this.destroy(error as Error);
    } finally {
      this.#pumping = false;
    }
  }

  #stop(leftover?: Buffer): void {
    this.#stopped = true;
    this.#resolveDrained(leftover);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (e?: Error) => void): void {
    (async () => {
      let offset = 0;
      while (offset < chunk.length) {
        const { bytesWritten } = await this.handle.write(
          chunk,
          offset,
          chunk.length - offset,
          null,
        );
        offset += bytesWritten;
      }
    })().then(() => callback(), callback);
  }

  override _destroy(error: Error | null, callback: (e?: Error | null) => void): void {
    // No read in flight: nothing to hand over. Otherwise the pending read does it.
    if (!this.#pumping && !this.#stopped) this.#stop();
    callback(error);
  }
}

/** Yields one Duplex per host connection on `/dev/virtio-ports/<name>`, forever. */
export async function* virtioPortConnections(
  path: string,
  idleMs = IDLE_MS * 2,
): AsyncGenerator<Duplex & { drained: Promise<Buffer | undefined> }> {
  const handle = await open(path, 'r+');
  let leftover: Buffer | undefined;
  try {
    for (;;) {
      let first = leftover;
      leftover = undefined;
      if (first === undefined) {
        const buffer = Buffer.allocUnsafe(CHUNK);
        const { bytesRead } = await handle.read(buffer, 0, CHUNK, null);
        if (bytesRead === 0) {
          await sleep(idleMs); // no host connected: the port reads as end of file
          continue;
        }
        first = buffer.subarray(0, bytesRead);
      }
      const connection = new PortConnection(handle, first);
      yield connection;
      leftover = await connection.drained;
    }
  } finally {
    await handle.close();
  }
}
