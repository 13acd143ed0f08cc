/**
 * Incremental removal of ANSI/VT100 escape sequences (CSI `ESC [ ... final`, OSC/DCS/APC/PM
 * strings ended by BEL or `ESC \`, two- and three-byte `ESC x` / `ESC ( B` forms) plus NUL
 * and BEL, so patterns can match what a person sees. Sequences may be split across chunks at
 * any offset: the state carries over. A runaway sequence (binary garbage that happens to start
 * with ESC) is abandoned after a bounded length so it cannot swallow the console.
 */

enum State {
  Text = 0,
  Escape = 1,
  EscapeIntermediate = 2,
  Csi = 3,
  String = 4,
  StringEscape = 5,
}

/** Longest CSI sequence kept as one; real ones are a few bytes. */
const MAX_CSI = 64;
/** Longest OSC/DCS string (window titles, hyperlinks). */
const MAX_STRING = 4096;

const SPECIAL = /[\x00\x07\x1b\x9b]/g;

export class AnsiStripper {
  #state: State = State.Text;
  #length = 0;

  /** Returns `chunk` without escape sequences; feed chunks in order. */
  push(chunk: string): string {
    let out = '';
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      if (this.#state === State.Text) {
        SPECIAL.lastIndex = i;
        const found = SPECIAL.exec(chunk);
        if (found === null) {
          out += i === 0 ? chunk : chunk.slice(i);
          break;
        }
        const at = found.index;
        if (at > i) out += chunk.slice(i, at);
        const c = chunk.charCodeAt(at);
        if (c === 0x1b) this.#enter(State.Escape);
        else if (c === 0x9b) this.#enter(State.Csi);
        // NUL and BEL are dropped.
        i = at + 1;
        continue;
      }
      const c = chunk.charCodeAt(i);
      i++;
      this.#length++;
      switch (this.#state) {
        case State.Escape:
          if (c === 0x5b) this.#enter(State.Csi);
          else if (c === 0x5d || c === 0x50 || c === 0x58 || c === 0x5e || c === 0x5f)
            this.#enter(State.String);
          else if (c >= 0x20 && c <= 0x2f) this.#state = State.EscapeIntermediate;
          else this.#state = State.Text;
          break;
        case State.EscapeIntermediate:
          if (c < 0x20 || c > 0x2f || this.#length > 4) this.#state = State.Text;
          break;
        case State.Csi:
          // Parameters and intermediates are 0x20-0x3f; the final byte is 0x40-0x7e.
          if ((c >= 0x40 && c <= 0x7e) || c < 0x20 || c > 0x7e || this.#length > MAX_CSI)
            this.#state = State.Text;
          break;
        case State.String:
          if (c === 0x07 || this.#length > MAX_STRING) this.#state = State.Text;
          else if (c === 0x1b) this.#state = State.StringEscape;
          break;
        case State.StringEscape:
          this.#state = c === 0x5c ? State.Text : State.String;
          break;
      }
    }
    return out;
  }

  #enter(state: State): void {
    this.#state = state;
    this.#length = 0;
  }
}

/** Strips escape sequences from a complete string. */
export function stripAnsi(text: string): string {
  return new AnsiStripper().push(text);
}
