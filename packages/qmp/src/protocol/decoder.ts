import { QmpJsonError } from '../errors.js';
import { parseJson } from './json.js';
import { LineSplitter } from './line-splitter.js';
import { classifyServerMessage, type QmpServerMessage } from './messages.js';

/** One decoded line: a QMP message, or the typed error explaining why the line is not one. */
export type DecodedLine = { ok: true; message: QmpServerMessage } | { ok: false; error: Error };

/**
 * Bytes in, QMP messages out. A bad line yields an error entry and decoding carries on with
 * the next line, so garbage never wedges or crashes the session. Pure: no I/O.
 */
export class QmpDecoder {
  private readonly lines = new LineSplitter();

  push(chunk: Buffer): DecodedLine[] {
    return this.lines.push(chunk).map(decodeLine);
  }

  get pendingBytes(): number {
    return this.lines.pendingBytes;
  }
}

export function decodeLine(line: string): DecodedLine {
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
