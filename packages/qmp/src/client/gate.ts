/**
 * A counting gate: at most `limit` holders at once, waiters served in FIFO order. Used to keep
 * the number of commands QEMU has queued under its own limits (see QmpClient).
 */
export class Gate {
  private active = 0;
  private readonly waiters: Array<() => void> = [];

  constructor(private limit: number) {}

  setLimit(limit: number): void {
    this.limit = limit;
    this.drain();
  }

  /** Runs `start` now if a slot is free, else when one frees up. Returns a cancel function. */
  enter(start: () => void): () => void {
    if (this.active < this.limit) {
      this.active++;
      start();
      return () => {};
    }
    const waiter = () => {
      this.active++;
      start();
    };
    this.waiters.push(waiter);
    return () => {
      const i = this.waiters.indexOf(waiter);
      if (i !== -1) this.waiters.splice(i, 1);
    };
  }

  leave(): void {
    this.active--;
    this.drain();
  }

  private drain(): void {
    while (this.active < this.limit && this.waiters.length > 0) {
      this.waiters.shift()?.();
    }
  }
}
