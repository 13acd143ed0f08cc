/**
 * Incremental removal of ANSI/VT100 escape sequences (CSI `ESC [ ... final`, OSC/DCS/APC/PM
 * strings ended by BEL or `ESC \`, two- and three-byte `ESC x` / `ESC ( B` forms, C1 CSI)
 * plus NUL and BEL, so patterns can match what a person sees.
 *
 * Complete sequences are removed by one native regex replace per chunk (a hand-written state
 * machine was 3x slower on escape-heavy output). A sequence cut by the chunk boundary is held
 * back and finished with the next chunk; a held-back prefix that grows past a bounded length
 * (binary garbage that happens to start with ESC) is let go, so it cannot swallow the console.
 */

const SEQUENCE =
  /\x1b\[[0-?]*[ -/]*[@-~]|\x9b[0-?]*[ -/]*[@-~]|\x1b[\]PX^_][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[ -/]*[0-~]|[\x00\x07\x1b]/g;

/** A tail that may still become a sequence once more bytes arrive. */
const PREFIX = /^(?:(?:\x1b\[|\x9b)[0-?]*[ -/]*|\x1b[ -/]*)$/;

/** What follows ESC to open a string sequence: OSC, DCS, SOS, PM, APC. */
const STRING_STARTS = ']PX^_';

/** Longest CSI prefix held back; real ones are a few bytes. */
const MAX_CSI = 64;
/** Longest OSC/DCS string prefix held back (window titles, hyperlinks). */
const MAX_STRING = 4096;

export class AnsiStripper {
  #carry = '';

  /** Returns `chunk` without escape sequences; feed chunks in order. */
  push(chunk: string): string {
    let text = this.#carry ? this.#carry + chunk : chunk;
    this.#carry = '';
    const hold = this.#incompleteFrom(text);
    if (hold !== -1) {
      this.#carry = text.slice(hold);
      text = text.slice(0, hold);
    }
    return text.replace(SEQUENCE, '');
  }

  /** Where a sequence cut by the end of `text` starts, or -1. */
  #incompleteFrom(text: string): number {
    // Only the last ESC can start an unfinished sequence, except when it is the first byte
    // of the `ESC \\` ending a string sequence (OSC...) that started at the ESC before it.
    const last = Math.max(text.lastIndexOf('\x1b'), text.lastIndexOf('\x9b'));
    if (last === -1) return -1;
    const next = text[last + 1];
    if (next !== undefined && STRING_STARTS.includes(next))
      return text.indexOf('\x07', last) === -1 && text.length - last <= MAX_STRING ? last : -1;
    if (next === undefined && last > 0) {
      const before = text.lastIndexOf('\x1b', last - 1);
      const kind = before === -1 ? undefined : text[before + 1];
      if (kind !== undefined && STRING_STARTS.includes(kind) && text.indexOf('\x07', before) === -1)
        return text.length - before <= MAX_STRING ? before : -1;
    }
    const tail = text.slice(last);
    return tail.length <= MAX_CSI && PREFIX.test(tail) ? last : -1;
  }

  /** Whatever was held back as a possible sequence, as plain text (at end of stream). */
  flush(): string {
    const rest = this.#carry;
    this.#carry = '';
    return rest.replace(SEQUENCE, '');
  }
}

/** Strips escape sequences from a complete string. */
export function stripAnsi(text: string): string {
  const stripper = new AnsiStripper();
  return stripper.push(text) + stripper.flush();
}
