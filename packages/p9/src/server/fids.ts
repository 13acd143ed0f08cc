import type { Credentials, FsNode, FsOpenFile } from './filesystem.js';

/** What a fid points at: a node, maybe opened, or an xattr being read or written. */
export interface Fid {
  node: FsNode;
  cred: Credentials;
  open?: FsOpenFile;
  openFlags?: number;
  /** Txattrwalk result: the value (or the NUL-separated name list) to serve through Tread. */
  xattrRead?: Buffer;
  /** Txattrcreate: the attribute being written, committed at Tclunk. */
  xattrWrite?: { name: string; size: number; flags: number; chunks: Buffer[]; written: number };
}

/** The fids of one connection, with a cap so a client cannot grow the table forever. */
export class FidTable {
  private readonly fids = new Map<number, Fid>();

  constructor(private readonly limit: number) {}

  get(fid: number): Fid | undefined {
    return this.fids.get(fid);
  }

  has(fid: number): boolean {
    return this.fids.has(fid);
  }

  get size(): number {
    return this.fids.size;
  }

  /** False when the table is full (the caller answers EMFILE). */
  canAdd(): boolean {
    return this.fids.size < this.limit;
  }

  set(fid: number, entry: Fid): void {
    this.fids.set(fid, entry);
  }

  take(fid: number): Fid | undefined {
    const f = this.fids.get(fid);
    this.fids.delete(fid);
    return f;
  }

  /** Removes every fid (Tversion reset or connection close) and returns them for release. */
  drain(): Fid[] {
    const all = [...this.fids.values()];
    this.fids.clear();
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
