/**
 * Progress of long steps: a redrawn bar on a terminal, one plain line per step otherwise
 * (logs, CI, pipes).
 */
export class Progress {
  private done = 0;

  constructor(
    private readonly title: string,
    private readonly total: number,
    private readonly out: NodeJS.WritableStream & { isTTY?: boolean } = process.stdout,
  ) {}

  private bar(): string {
    const width = 24;
    const filled = this.total === 0 ? width : Math.round((this.done / this.total) * width);
    return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${this.done}/${this.total}`;
  }

  /** Marks one step as done, naming it. */
  step(label: string): void {
    this.done = Math.min(this.total, this.done + 1);
    if (this.out.isTTY) {
      this.out.write(`\r\x1b[2K${this.title} ${this.bar()} ${label}`);
      if (this.done === this.total) this.out.write('\n');
    } else {
      this.out.write(`${this.title}: ${this.done}/${this.total} ${label}\n`);
    }
  }
}
