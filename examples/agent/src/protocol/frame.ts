import { FrameError } from '../errors.js';

/**
 * One frame on the wire, big-endian:
 *
 *   u32 length   bytes after this field (8 + payload)
 *   u8  version  1
 *   u8  type     FrameType
 *   u16 stream   sub-channel of a call (0 stdin/upload, 1 stdout/download, 2 stderr)
 *   u32 id       call id (odd: opened by the host, even: by the agent; 0: events)
 *   ... payload  CBOR, except DATA frames whose payload is raw bytes
 */
export const PROTOCOL_VERSION = 1;
export const HEADER_SIZE = 12;
/** Largest frame accepted by default: big enough for a 64 KiB data chunk and a large reply. */
export const DEFAULT_MAX_FRAME = 1024 * 1024;

export const FrameType = {
  REQUEST: 1,
  RESPONSE: 2,
  ERROR: 3,
  CANCEL: 4,
  DATA: 5,
  CREDIT: 6,
  END: 7,
  EVENT: 8,
} as const;
export type FrameType = (typeof FrameType)[keyof typeof FrameType];

const TYPES = new Set<number>(Object.values(FrameType));

export function isFrameType(value: number): value is FrameType {
  return TYPES.has(value);
}

export interface Frame {
  type: FrameType;
  id: number;
  stream: number;
  payload: Uint8Array;
}

export function encodeFrame(frame: Frame): Buffer {
  const out = Buffer.allocUnsafe(HEADER_SIZE + frame.payload.length);
  out.writeUInt32BE(HEADER_SIZE - 4 + frame.payload.length, 0);
  out.writeUInt8(PROTOCOL_VERSION, 4);
  out.writeUInt8(frame.type, 5);
  out.writeUInt16BE(frame.stream, 6);
  out.writeUInt32BE(frame.id, 8);
  out.set(frame.payload, HEADER_SIZE);
  return out;
}

/** What `FrameDecoder.push` yields: a frame, or a bad frame already skipped over. */
export type DecodedItem =
  | { frame: Frame; error?: undefined }
  | { frame?: undefined; error: FrameError };

/**
 * Incremental frame splitter. A bad frame whose length is readable (too large, wrong version,
 * unknown type) is reported and skipped without buffering its body, so the stream stays in
 * sync and a peer cannot make us hold more than `maxFrame` bytes. A length below the header
 * size means the stream is out of sync for good: `desynced` turns true and the caller closes.
 * An unfinished frame is copied into one buffer of its final size as its bytes arrive: a
 * frame arriving a byte at a time costs O(size) time and memory, not O(size^2) (joining
 * everything held on every chunk) nor one object per chunk.
 */
export class FrameDecoder {
  /** The unfinished frame (or header), sized to what it needs before decoding can go on. */
  #held: Buffer = Buffer.alloc(0);
  #heldBytes = 0;
  #skip = 0;
  #desynced = false;

  constructor(readonly maxFrame = DEFAULT_MAX_FRAME) {}

  get desynced(): boolean {
    return this.#desynced;
  }

  /** Bytes held waiting for the rest of a frame (never more than `maxFrame`). */
  get buffered(): number {
    return this.#heldBytes;
  }

  push(chunk: Uint8Array): DecodedItem[] {
    if (this.#desynced) return [];
    let data = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.#skip > 0) {
      const n = Math.min(this.#skip, data.length);
      this.#skip -= n;
      data = data.subarray(n);
    }
    if (data.length === 0) return [];
    if (this.#heldBytes > 0) {
      const take = Math.min(data.length, this.#held.length - this.#heldBytes);
      data.copy(this.#held, this.#heldBytes, 0, take);
      this.#heldBytes += take;
      if (this.#heldBytes < this.#held.length) return [];
      const after = data.subarray(take);
      data = after.length === 0 ? this.#held : Buffer.concat([this.#held, after]);
      this.#held = Buffer.alloc(0);
      this.#heldBytes = 0;
    }
    const items: DecodedItem[] = [];
    let offset = 0;
    while (data.length - offset >= HEADER_SIZE) {
      const length = data.readUInt32BE(offset);
      const total = 4 + length;
      const id = data.readUInt32BE(offset + 8);
      if (length < HEADER_SIZE - 4) {
        this.#desynced = true;
        items.push({ error: new FrameError(`frame length ${length} is below the header size`) });
        this.#held = Buffer.alloc(0);
        this.#heldBytes = 0;
        return items;
      }
      const version = data.readUInt8(offset + 4);
      const type = data.readUInt8(offset + 5);
      let problem: string | undefined;
      if (total > this.maxFrame) problem = `frame of ${total} bytes exceeds ${this.maxFrame}`;
      else if (version !== PROTOCOL_VERSION) problem = `unsupported protocol version ${version}`;
      else if (!isFrameType(type)) problem = `unknown frame type ${type}`;
      if (problem !== undefined) {
        items.push({ error: new FrameError(problem, id) });
        const available = data.length - offset;
        if (total > available) {
          this.#skip = total - available;
          offset = data.length;
        } else {
          offset += total;
        }
        continue;
      }
      if (data.length - offset < total) break;
      items.push({
        frame: {
          type: type as FrameType,
          id,
          stream: data.readUInt16BE(offset + 6),
          // A copy: the frame outlives this chunk, and must not pin a large buffer.
          payload: new Uint8Array(data.subarray(offset + HEADER_SIZE, offset + total)),
        },
      });
      offset += total;
    }
    if (offset < data.length) {
      // A header that is whole here passed the checks above, so its length is <= maxFrame.
      const rest = data.length - offset;
      this.#held = Buffer.allocUnsafe(
        rest >= HEADER_SIZE ? 4 + data.readUInt32BE(offset) : HEADER_SIZE,
      );
      data.copy(this.#held, 0, offset);
      this.#heldBytes = rest;
    }
    return items;
  }
}
