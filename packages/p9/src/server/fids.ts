import { fsError } from '../protocol/errno.js';
import type { ConnectionBudget } from './budget.js';
import type { Credentials, FsNode, FsOpenFile } from './filesystem.js';

/** What a fid points at: a node, maybe opened, or an xattr being read or written. */
export interface Fid {
  node: FsNode;
  cred: Credentials;
  /** Set only while the fid holds a descriptor-budget unit for it (see FidTable.reserveOpen). */
  open?: FsOpenFile;
  openFlags?: number;
  /** Txattrwalk result: the value (or the NUL-separated name list) to serve through Tread. */
  xattrRead?: Buffer;
  /** Txattrcreate: the attribute being written, committed at Tclunk. */
  xattrWrite?: { name: string; size: number; flags: number; chunks: Buffer[]; written: number };
}

/**
 * The fids of one connection, with a cap (`maxFids`) so a client cannot grow the table
 * forever, and an account in the server's descriptor budget: one unit per fid and one more
 * per open fid. Past the cap a new fid is EMFILE; when the budget has no room, ENFILE.
 */
export class FidTable {
  private readonly fids = new Map<number, Fid>();

  constructor(
    private readonly limit: number,
    private readonly budget?: ConnectionBudget,
  ) {}

  get(fid: number): Fid | undefined {
    return this.fids.get(fid);
  }

  has(fid: number): boolean {
    return this.fids.has(fid);
  }

  get size(): number {
    return this.fids.size;
  }

  /** Throws EMFILE/ENFILE when one more fid would pass the cap or the budget. */
  checkRoom(): void {
    if (this.fids.size >= this.limit) throw fsError('EMFILE', 'too many fids on this connection');
  }

  /**
   * Adds a new fid (EBADF if the number is taken, EMFILE/ENFILE if there is no room), or
   * replaces the entry of an existing one (`replace`: Twalk with newfid = fid).
   */
  set(fid: number, entry: Fid, replace = false): void {
    if (replace && this.fids.has(fid)) {
      this.fids.set(fid, entry);
      return;
    }
    if (this.fids.has(fid)) throw fsError('EBADF', `fid ${fid} is in use`);
    this.checkRoom();
    if (this.budget && !this.budget.take(1 + (entry.open ? 1 : 0)))
      throw fsError('ENFILE', 'the server has no descriptors left for this connection');
    this.fids.set(fid, entry);
  }

  /** Reserves the unit an open file will hold (before opening it); ENFILE if none is left. */
  reserveOpen(): void {
    if (this.budget && !this.budget.take(1))
      throw fsError('ENFILE', 'the server has no descriptors left for this connection');
  }

  /** Gives back a unit from reserveOpen whose open failed (or whose fid went away). */
  releaseOpen(): void {
    this.budget?.give(1);
  }

  take(fid: number): Fid | undefined {
    const f = this.fids.get(fid);
    if (!f) return undefined;
    this.fids.delete(fid);
    this.budget?.give(1 + (f.open ? 1 : 0));
    return f;
  }

  /** Removes every fid (Tversion reset or connection close) and returns them for release. */
  drain(): Fid[] {
    const all = [...this.fids.values()];
    this.fids.clear();
    for (const f of all) this.budget?.give(1 + (f.open ? 1 : 0));
    return all;
  }
}

/** Releases a fid's open file and node, swallowing backend errors (the fid is gone anyway). */
export async function releaseFid(f: Fid): Promise<void> {
  // try/await rather than .catch(): no extra promise per release, on every Tclunk.
  if (f.open) {
    try {
      await f.open.close();
    } catch {
      // The fid is gone either way.
    }
  }
  try {
    await f.node.release();
  } catch {
    // Same.
  }
}
