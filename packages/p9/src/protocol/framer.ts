import { FrameError } from '../errors.js';
import { HEADER_SIZE, readFrameSize } from './wire.js';

/**
 * Once this many bytes of an incomplete frame have arrived, the rest is assembled as it comes:
 * the frame buffer is made and each chunk is copied in on arrival, so a 1 MiB Twrite costs no
 * 1 MiB copy (and no page faults on a fresh buffer) after its last byte, when the client is
 * waiting. Waiting for 64 KiB first means a peer must send that much before the server holds
 * a buffer of the announced size (at most msize). Smaller frames are cut from the chunks.
 */
const ASSEMBLE_FROM = 64 * 1024;

/**
 * Splits a byte stream into 9P frames whatever the chunking: frames split across chunks are
 * reassembled, several frames in one chunk come out one by one. A size below the header or
 * above `maxSize` throws FrameError: the stream cannot be resynchronised after that.
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** A large frame being filled in place, and how many of its bytes have arrived. */
  private partial: Buffer | undefined;
  private filled = 0;

  constructor(public maxSize: number) {}

  /** Feeds bytes; returns the frames completed by them (each its own Buffer). */
  push(chunk: Buffer): Buffer[] {
    const frames: Buffer[] = [];
    let rest = chunk;
    if (this.partial) {
      rest = this.fill(rest, frames);
      if (this.partial) return frames;
    }
    if (rest.length > 0) {
      this.chunks.push(rest);
      this.buffered += rest.length;
    }
    while (this.buffered >= 4) {
      const size = this.peekSize();
      if (size < HEADER_SIZE)
        throw new FrameError(`frame size ${size} is below the 7-byte header`, size);
      if (size > this.maxSize) {
        throw new FrameError(`frame size ${size} exceeds msize ${this.maxSize}`, size);
      }
      if (this.buffered < size) {
        if (this.buffered >= ASSEMBLE_FROM) this.startPartial(size);
        break;
      }
      frames.push(this.take(size));
    }
    return frames;
  }

  /** Bytes held waiting for the rest of a frame. */
  get pending(): number {
    return this.buffered + this.filled;
  }

  private peekSize(): number {
    const first = this.chunks[0] as Buffer;
    if (first.length >= 4) return readFrameSize(first);
    const head = Buffer.concat(this.chunks, Math.min(this.buffered, 4));
    this.chunks = [Buffer.concat(this.chunks)];
    return readFrameSize(head);
  }

  /** Moves everything buffered (all of it belongs to the incomplete frame) into its buffer. */
  private startPartial(size: number): void {
    const frame = Buffer.allocUnsafe(size);
    let at = 0;
    for (const c of this.chunks) at += c.copy(frame, at);
    this.partial = frame;
    this.filled = at;
    this.chunks = [];
    this.buffered = 0;
  }

  /** Copies the start of `chunk` into the partial frame; returns what is left of the chunk. */
  private fill(chunk: Buffer, frames: Buffer[]): Buffer {
    const frame = this.partial as Buffer;
    const n = Math.min(chunk.length, frame.length - this.filled);
    chunk.copy(frame, this.filled, 0, n);
    this.filled += n;
    if (this.filled === frame.length) {
      frames.push(frame);
      this.partial = undefined;
      this.filled = 0;
    }
    return chunk.subarray(n);
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
