/**
 * Splits a byte stream into lines at `\n`, with no length limit (QEMU 7.2's `query-qmp-schema`
 * reply is a single ~200 KB line). Chunks of a line are kept as a list and joined once when
 * the newline arrives, so a long line costs O(n), not O(n^2). Pure: no I/O.
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private partBytes = 0;

  /** Feeds a chunk; returns the complete lines it finished (without `\n` or a trailing `\r`). */
  push(chunk: Buffer): string[] {
    const lines: string[] = [];
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl === -1) break;
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
      this.parts.push(chunk.subarray(start));
      this.partBytes += chunk.length - start;
    }
    return lines;
  }

  /** Bytes of the unfinished line held so far (a peer that closes mid-line leaves these). */
  get pendingBytes(): number {
    return this.partBytes;
  }
}
