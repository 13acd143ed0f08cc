/**
 * Incremental line splitting for console text. Lines end at `\n`; a `\r` before it is
 * dropped. A line longer than `maxLineLength` is cut and handed out in pieces, so a peer that
 * never sends a newline cannot grow memory without bound.
 */
export class LineSplitter {
  #partial = '';

  constructor(readonly maxLineLength = 64 * 1024) {}

  /** Calls `onLine` for every complete (or over-long) line in `chunk`. */
  push(chunk: string, onLine: (line: string) => void): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf('\n', start);
      if (nl === -1) break;
      let line = this.#partial + chunk.slice(start, nl);
      this.#partial = '';
      if (line.endsWith('\r')) line = line.slice(0, -1);
      onLine(line);
      start = nl + 1;
    }
    if (start < chunk.length) this.#partial += chunk.slice(start);
    while (this.#partial.length >= this.maxLineLength) {
      onLine(this.#partial.slice(0, this.maxLineLength));
      this.#partial = this.#partial.slice(this.maxLineLength);
    }
  }

  /** The unterminated rest, emptied. */
  flush(): string {
    const rest = this.#partial;
    this.#partial = '';
    return rest;
  }
}
