import { LockType } from '../protocol/constants.js';

/** A POSIX byte-range lock: [start, end] inclusive; `end` = MAX_END means "to end of file". */
export interface RangeLock {
  owner: string;
  type: number;
  start: bigint;
  end: bigint;
  procId: number;
  clientId: string;
}

export const MAX_END = (1n << 64n) - 1n;

/** Byte range of a 9P lock request: length 0 means to end of file. */
export function lockRange(start: bigint, length: bigint): { start: bigint; end: bigint } {
  if (length === 0n) return { start, end: MAX_END };
  const end = start + length - 1n;
  return { start, end: end > MAX_END ? MAX_END : end };
}

/**
 * POSIX record locks held by the server, per file, across fids and connections. An owner is a
 * (connection, client_id, proc_id) triple, like a process on one client. Setting a lock
 * replaces the owner's own locks in that range (splitting and merging like fcntl does).
 */
export class LockTable {
  private files = new Map<string, RangeLock[]>();

  /** The first lock of another owner that conflicts with the request, if any. */
  conflict(
    file: string,
    owner: string,
    type: number,
    start: bigint,
    end: bigint,
  ): RangeLock | undefined {
    if (type === LockType.UNLCK) return undefined;
    for (const l of this.files.get(file) ?? []) {
      if (l.owner === owner || l.end < start || l.start > end) continue;
      if (type === LockType.WRLCK || l.type === LockType.WRLCK) return l;
    }
    return undefined;
  }

  /** Sets (or with UNLCK clears) a range for `owner`; returns false when another owner conflicts. */
  set(file: string, lock: RangeLock): boolean {
    if (this.conflict(file, lock.owner, lock.type, lock.start, lock.end)) return false;
    const kept: RangeLock[] = [];
    for (const l of this.files.get(file) ?? []) {
      if (l.owner !== lock.owner || l.end < lock.start || l.start > lock.end) {
        kept.push(l);
        continue;
      }
      // Keep the parts of the old lock outside the new range.
      if (l.start < lock.start) kept.push({ ...l, end: lock.start - 1n });
      if (l.end > lock.end) kept.push({ ...l, start: lock.end + 1n });
    }
    if (lock.type !== LockType.UNLCK) kept.push(lock);
    this.store(file, merge(kept));
    return true;
  }

  /** Drops every lock whose owner starts with `prefix` (a closed connection). */
  releaseOwners(prefix: string): void {
    for (const [file, locks] of this.files) {
      this.store(
        file,
        locks.filter((l) => !l.owner.startsWith(prefix)),
      );
    }
  }

  /** Locks currently held on a file (for tests and tracing). */
  held(file: string): readonly RangeLock[] {
    return this.files.get(file) ?? [];
  }

  private store(file: string, locks: RangeLock[]): void {
    if (locks.length === 0) this.files.delete(file);
    else this.files.set(file, locks);
  }
}

/** Joins adjacent or overlapping ranges of the same owner and type. */
function merge(locks: RangeLock[]): RangeLock[] {
  const sorted = [...locks].sort((a, b) =>
    a.owner === b.owner
      ? a.start < b.start
        ? -1
        : a.start > b.start
          ? 1
          : 0
      : a.owner < b.owner
        ? -1
        : 1,
  );
  const out: RangeLock[] = [];
  for (const l of sorted) {
    const prev = out[out.length - 1];
    if (
      prev &&
      prev.owner === l.owner &&
      prev.type === l.type &&
      prev.end !== MAX_END &&
      prev.end + 1n >= l.start
    ) {
      if (l.end > prev.end) prev.end = l.end;
      continue;
    }
    out.push({ ...l });
  }
  return out;
}
