import { QmpJsonError, QmpLimitError } from '../errors.js';
import { parseJson } from './json.js';
import { DEFAULT_MAX_DEPTH } from './limits.js';
import { LineSplitter } from './line-splitter.js';
import { classifyServerMessage, type QmpServerMessage } from './messages.js';

/** One decoded line: a QMP message, or the typed error explaining why the line is not one. */
export type DecodedLine = { ok: true; message: QmpServerMessage } | { ok: false; error: Error };

export interface QmpDecoderOptions {
  /** Longest line accepted, in bytes (default 16 MiB). */
  maxLineBytes?: number;
  /** Deepest nesting of arrays and objects accepted in one message (default 1024). */
  maxDepth?: number;
}

/**
 * Bytes in, QMP messages out. A bad line yields an error entry and decoding carries on with
 * the next line, so garbage never wedges or crashes the session. A line past a bound yields a
 * `QmpLimitError` entry; after an over-long line the decoder yields nothing more (`failed`).
 * Pure: no I/O.
 */
export class QmpDecoder {
  private readonly lines: LineSplitter;
  private readonly maxDepth: number;
  private reported = false;

  constructor(options: QmpDecoderOptions = {}) {
    this.lines = new LineSplitter(options.maxLineBytes);
    this.maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH;
  }

  push(chunk: Buffer): DecodedLine[] {
    if (this.reported) return [];
    const decoded = this.lines.push(chunk).map((line) => decodeLine(line, this.maxDepth));
    const overflow = this.lines.overflow;
    if (overflow) {
      this.reported = true;
      decoded.push({ ok: false, error: overflow });
    }
    return decoded;
  }

  get pendingBytes(): number {
    return this.lines.pendingBytes;
  }

  /** Set once a line went past `maxLineBytes`: the stream cannot be followed any further. */
  get failed(): QmpLimitError | undefined {
    return this.lines.overflow;
  }
}

export function decodeLine(line: string, maxDepth: number = DEFAULT_MAX_DEPTH): DecodedLine {
  // A line cannot nest deeper than it is long, so short lines skip the scan.
  if (line.length > maxDepth && nestingDepth(line) > maxDepth) {
    return {
      ok: false,
      error: new QmpLimitError(
        'maxDepth',
        maxDepth,
        `QMP peer sent JSON nested deeper than ${maxDepth} levels`,
      ),
    };
  }
  let value: unknown;
  try {
    value = parseJson(line);
  } catch (err) {
    const match = err instanceof Error ? /position (\d+)/.exec(err.message) : null;
    return { ok: false, error: new QmpJsonError(line, match ? Number(match[1]) : undefined, err) };
  }
  try {
    return { ok: true, message: classifyServerMessage(value) };
  } catch (err) {
    return { ok: false, error: err as Error };
  }
}

/**
 * Deepest `[`/`{` nesting outside strings. JSON.parse itself copes with any depth, but the
 * value it returns would overflow the stack of every recursive walk after it (the bigint
 * reviver, JSON.stringify, the caller's own code).
 */
export function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      for (i++; i < n; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > deepest) deepest = depth;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) {
      depth--;
    }
  }
  return deepest;
}
