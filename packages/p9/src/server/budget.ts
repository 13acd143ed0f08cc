import { readFileSync } from 'node:fs';

/**
 * The soft RLIMIT_NOFILE of this process, from /proc/self/limits (Node has no getrlimit; it
 * raises the soft limit to the hard one at startup, so this is what the server really has).
 * Undefined when the file cannot be read or says "unlimited".
 */
export function openFileLimit(
  read: () => string = () => readFileSync('/proc/self/limits', 'utf8'),
): number | undefined {
  try {
    const m = /^Max open files\s+(\d+)\s/m.exec(read());
    return m?.[1] ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** Used when the limit cannot be read: the usual default soft limit. */
const FALLBACK_LIMIT = 1024;

/**
 * Descriptors left to the rest of the process (the listening sockets, libuv, the embedding
 * application, the short-lived ones a request opens): an eighth of the limit, at least 64.
 */
export function defaultDescriptorBudget(limit = openFileLimit() ?? FALLBACK_LIMIT): number {
  return Math.max(1, limit - Math.max(64, Math.floor(limit / 8)));
}

/**
 * One budget of descriptors shared by every connection of a server: each connection's socket,
 * each fid (LocalFs holds a descriptor per walked file) and each open file counts one unit.
 *
 * Half of it is split evenly into a reserve per connection slot (`maxConnections` of them),
 * which only that connection may use; the other half is a pool anyone may draw from. So a
 * connection that walks fids until the budget runs out gets ENFILE, and every other
 * connection, up to `maxConnections`, still has its reserve: a hog cannot lock the others out.
 */
export class DescriptorBudget {
  /** Units each connection can always get. */
  readonly reserve: number;
  /** Units shared by all, beyond the reserves. */
  readonly pool: number;
  private poolUsed = 0;

  constructor(
    readonly total: number,
    slots: number,
  ) {
    this.reserve = Math.floor(total / 2 / Math.max(1, slots));
    this.pool = total - this.reserve * slots;
  }

  /** Units of the shared pool in use (for stats). */
  get shared(): number {
    return this.poolUsed;
  }

  /** A new connection's account (holding nothing yet). */
  open(): ConnectionBudget {
    return new ConnectionBudget(this);
  }

  /** @internal Moves `n` units into (positive) or out of (negative) the pool; false if full. */
  drawPool(n: number): boolean {
    if (n > 0 && this.poolUsed + n > this.pool) return false;
    this.poolUsed += n;
    return true;
  }
}

/** What one connection holds of a DescriptorBudget. */
export class ConnectionBudget {
  private used = 0;

  constructor(private readonly budget: DescriptorBudget) {}

  /** Units this connection holds. */
  get held(): number {
    return this.used;
  }

  /** Takes `n` units: from the connection's reserve first, then the pool. False if neither has room. */
  take(n = 1): boolean {
    const extra = this.overReserve(this.used + n) - this.overReserve(this.used);
    if (extra > 0 && !this.budget.drawPool(extra)) return false;
    this.used += n;
    return true;
  }

  give(n = 1): void {
    const m = Math.min(n, this.used);
    const back = this.overReserve(this.used) - this.overReserve(this.used - m);
    if (back > 0) this.budget.drawPool(-back);
    this.used -= m;
  }

  /** Gives everything back (the connection closed). */
  close(): void {
    this.give(this.used);
  }

  private overReserve(units: number): number {
    return Math.max(0, units - this.budget.reserve);
  }
}
