import { createHash, randomBytes } from 'node:crypto';
import type { Duplex, Readable, Writable } from 'node:stream';

/** Resolves with everything `stream` yields until its end. */
export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks);
}

/** Reads one `\n`-terminated line and gives back what followed it. */
export function readLine(stream: Duplex, maxLength = 256): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered: Buffer = Buffer.alloc(0);
    let done = false;
    const onReadable = () => {
      while (!done) {
        const chunk = stream.read() as Buffer | null;
        if (chunk === null) break;
        onData(chunk);
      }
    };
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const newline = buffered.indexOf(0x0a);
      if (newline < 0) {
        if (buffered.length > maxLength) finish(new Error('line too long'));
        return;
      }
      finish(undefined);
      const rest = buffered.subarray(newline + 1);
      if (rest.length > 0) stream.unshift(rest);
      resolve(buffered.subarray(0, newline).toString('utf8'));
    };
    const onEnd = () =>
      finish(new Error(`stream ended before a line (got ${JSON.stringify(buffered.toString())})`));
    const onError = (error: Error) => finish(error);
    const finish = (error: Error | undefined) => {
      done = true;
      stream.off('readable', onReadable).off('end', onEnd).off('error', onError);
      if (error) reject(error);
    };
    stream.on('readable', onReadable).once('end', onEnd).once('error', onError);
  });
}

/**
 * A deterministic stream of distinct chunks: one random block, each copy stamped with its
 * index, so a lost, duplicated or reordered chunk changes the checksum.
 */
export class PatternSource {
  readonly #block: Buffer;
  constructor(
    readonly total: number,
    readonly chunkSize = 256 * 1024,
  ) {
    this.#block = randomBytes(chunkSize);
  }

  *chunks(): Generator<Buffer> {
    let index = 0;
    for (let sent = 0; sent < this.total; sent += this.chunkSize, index++) {
      const chunk = Buffer.from(
        this.#block.subarray(0, Math.min(this.chunkSize, this.total - sent)),
      );
      if (chunk.length >= 8) chunk.writeBigUInt64LE(BigInt(index), 0);
      yield chunk;
    }
  }

  sha256(): string {
    const hash = createHash('sha256');
    for (const chunk of this.chunks()) hash.update(chunk);
    return hash.digest('hex');
  }
}

/** Writes every chunk with backpressure (waits for 'drain'), then ends; counts `write() === false`. */
export async function writeAll(
  stream: Writable,
  chunks: Iterable<Buffer>,
  end = true,
): Promise<number> {
  let pressured = 0;
  for (const chunk of chunks) {
    if (!stream.write(chunk)) {
      pressured++;
      await new Promise<void>((resolve, reject) => {
        const onDrain = () => {
          stream.off('error', onError);
          resolve();
        };
        const onError = (error: Error) => {
          stream.off('drain', onDrain);
          reject(error);
        };
        stream.once('drain', onDrain).once('error', onError);
      });
    }
  }
  if (end) stream.end();
  return pressured;
}

/** sha256 of everything until the end, and the byte count. */
export async function hashAll(stream: Readable): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

export function once<T = unknown>(emitter: NodeJS.EventEmitter, event: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onEvent = (value: T) => {
      emitter.off('error', onError);
      resolve(value);
    };
    const onError = (error: Error) => {
      emitter.off(event, onEvent);
      reject(error);
    };
    emitter.once(event, onEvent);
    if (event !== 'error') emitter.once('error', onError);
  });
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
