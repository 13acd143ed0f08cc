import { QmpLimitError } from '../errors.js';
import { DEFAULT_MAX_LINE_BYTES } from './limits.js';

/**
 * Splits a byte stream into lines at `\n`. Chunks of a line are kept as a list and joined once
 * when the newline arrives, so a long line costs O(n), not O(n^2). A line may hold at most
 * `maxLineBytes` bytes before its `\n` (a `\r` counts; default 16 MiB): the bytes of a longer one are never buffered past the
 * bound, `overflow` is set, and the splitter takes no more input (the stream has lost its
 * framing as far as this client will follow it). Pure: no I/O.
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private partBytes = 0;
  private overflowError: QmpLimitError | undefined;

  constructor(readonly maxLineBytes: number = DEFAULT_MAX_LINE_BYTES) {}

  /**
   * Feeds a chunk; returns the complete lines it finished (without `\n` or a trailing `\r`).
   * Lines finished before an over-long one are still returned; check `overflow` after.
   */
  push(chunk: Buffer): string[] {
    const lines: string[] = [];
    if (this.overflowError) return lines;
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl === -1) break;
      if (this.partBytes + nl - start > this.maxLineBytes) return this.fail(lines);
      let line: Buffer;
      if (this.parts.length === 0) {
        line = chunk.subarray(start, nl);
      } else {
        this.parts.push(chunk.subarray(start, nl));
        line = Buffer.concat(this.parts, this.partBytes + nl - start);
        this.parts = [];
        this.partBytes = 0;
      }
      const end = line.length > 0 && line[line.length - 1] === 0x0d ? line.length - 1 : line.length;
      // Decoding after joining keeps multi-byte UTF-8 characters split across chunks intact.
      if (end > 0) lines.push(line.toString('utf8', 0, end));
      start = nl + 1;
    }
    if (start < chunk.length) {
      if (this.partBytes + chunk.length - start > this.maxLineBytes) return this.fail(lines);
      this.parts.push(chunk.subarray(start));
      this.partBytes += chunk.length - start;
    }
    return lines;
  }

  /** Bytes of the unfinished line held so far (a peer that closes mid-line leaves these). */
  get pendingBytes(): number {
    return this.partBytes;
  }

  /** Set once a line went past `maxLineBytes`; the splitter then ignores further input. */
  get overflow(): QmpLimitError | undefined {
    return this.overflowError;
  }

  private fail(lines: string[]): string[] {
    this.overflowError = new QmpLimitError(
      'maxLineBytes',
      this.maxLineBytes,
      `QMP peer sent a line longer than ${this.maxLineBytes} bytes`,
    );
    this.parts = [];
    this.partBytes = 0;
    return lines;
  }
}
