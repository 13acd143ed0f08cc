/**
 * The most recent console text, addressed by absolute character offsets (offset 0 is the
 * first character ever appended). Text is kept as a list of chunks, never as one growing
 * string: appending must not copy what is already there, and reading a range only joins the
 * chunks it covers. Old chunks are dropped once more than `capacity` characters are held.
 */
export class TextHistory {
  #chunks: string[] = [];
  #starts: number[] = [];
  #head = 0;
  #base = 0;
  #end = 0;

  constructor(readonly capacity: number) {}

  /** Absolute offset just past the last character appended. */
  get end(): number {
    return this.#end;
  }

  /** Absolute offset of the oldest character still held. */
  get start(): number {
    return this.#base;
  }

  append(text: string): void {
    if (text.length === 0) return;
    if (text.length > this.capacity) {
      // The new text alone fills the history: everything older goes.
      const skipped = text.length - this.capacity;
      this.#end += skipped;
      text = text.slice(skipped);
      this.#chunks = [];
      this.#starts = [];
      this.#head = 0;
      this.#base = this.#end;
    }
    const last = this.#chunks.length - 1;
    // Coalesce small pieces (a console often delivers one byte at a time) so the chunk list
    // stays short; V8 joins them lazily.
    if (last >= this.#head && this.#chunks[last]!.length < 4096) {
      this.#chunks[last] += text;
    } else {
      this.#chunks.push(text);
      this.#starts.push(this.#end);
    }
    this.#end += text.length;
    this.#trim();
  }

  /** Text between absolute offsets `from` and `to` (clamped to what is held). */
  slice(from: number, to = this.#end): string {
    from = Math.max(from, this.#base);
    to = Math.min(to, this.#end);
    if (to <= from) return '';
    const parts: string[] = [];
    for (let i = this.#head; i < this.#chunks.length; i++) {
      const chunk = this.#chunks[i]!;
      const start = this.#starts[i]!;
      const stop = start + chunk.length;
      if (stop <= from) continue;
      if (start >= to) break;
      parts.push(chunk.slice(Math.max(0, from - start), Math.min(chunk.length, to - start)));
    }
    return parts.join('');
  }

  /** The last `count` characters. */
  tail(count: number): string {
    return this.slice(this.#end - count);
  }

  #trim(): void {
    while (this.#end - this.#base > this.capacity && this.#chunks.length - this.#head > 1) {
      // Release the dropped text now; the slot itself goes at the next compaction.
      this.#chunks[this.#head] = '';
      this.#head++;
      this.#base = this.#starts[this.#head]!;
    }
    const first = this.#chunks[this.#head];
    if (first !== undefined && this.#end - this.#base > this.capacity) {
      // One chunk bigger than the whole history: keep only its end.
      const cut = this.#end - this.#base - this.capacity;
      this.#chunks[this.#head] = first.slice(cut);
      this.#base += cut;
      this.#starts[this.#head] = this.#base;
    }
    if (this.#head > 256 && this.#head * 2 > this.#chunks.length) {
      this.#chunks.splice(0, this.#head);
      this.#starts.splice(0, this.#head);
      this.#head = 0;
    }
  }
}
