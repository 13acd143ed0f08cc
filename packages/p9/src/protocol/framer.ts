import { FrameError } from '../errors.js';
import { HEADER_SIZE } from './constants.js';

/**
 * Splits a byte stream into 9P frames whatever the chunking: frames split across chunks are
 * reassembled, several frames in one chunk come out one by one. A size below the header or
 * above `maxSize` throws FrameError: the stream cannot be resynchronised after that.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(public maxSize: number) {}

  /** Feeds bytes; returns the frames completed by them (each its own Buffer). */
  push(chunk: Buffer): Buffer[] {
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    const frames: Buffer[] = [];
    while (this.buffered >= 4) {
      const size = this.peekSize();
      if (size < HEADER_SIZE)
        throw new FrameError(`frame size ${size} is below the 7-byte header`, size);
      if (size > this.maxSize) {
        throw new FrameError(`frame size ${size} exceeds msize ${this.maxSize}`, size);
      }
      if (this.buffered < size) break;
      frames.push(this.take(size));
    }
    return frames;
  }

  /** Bytes held waiting for the rest of a frame. */
  get pending(): number {
    return this.buffered;
  }

  private peekSize(): number {
    const first = this.chunks[0] as Buffer;
    if (first.length >= 4) return first.readUInt32LE(0);
    const head = Buffer.concat(this.chunks, Math.min(this.buffered, 4));
    this.chunks = [Buffer.concat(this.chunks)];
    return head.readUInt32LE(0);
  }

  private take(size: number): Buffer {
    const first = this.chunks[0] as Buffer;
    let frame: Buffer;
    if (first.length >= size) {
      frame = first.subarray(0, size);
      if (first.length === size) this.chunks.shift();
      else this.chunks[0] = first.subarray(size);
    } else {
      frame = Buffer.allocUnsafe(size);
      let copied = 0;
      while (copied < size) {
        const c = this.chunks[0] as Buffer;
        const n = Math.min(c.length, size - copied);
        c.copy(frame, copied, 0, n);
        copied += n;
        if (n === c.length) this.chunks.shift();
        else this.chunks[0] = c.subarray(n);
      }
    }
    this.buffered -= size;
    return frame;
  }
}
