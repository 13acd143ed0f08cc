import type { FidTable } from './fids.js';
import type { FileSystem } from './filesystem.js';
import type { LockTable } from './locks.js';

/** What a request handler can see: the connection's state plus the server's shared parts. */
export interface RequestContext {
  fs: FileSystem;
  fids: FidTable;
  locks: LockTable;
  readonly: boolean;
  msize: number;
  /** Prefix of this connection's lock owners, so closing it drops its locks. */
  connectionId: string;
  /** Largest number of bytes one xattr value may have. */
  maxXattrSize: number;
  /** Aborted when the request is flushed (made on first use: most requests never need it). */
  readonly signal: AbortSignal;
  /** True once the request is flushed; checking it allocates nothing. */
  readonly aborted: boolean;
  /** Called by Tversion to reset the connection (drop fids, set msize). */
  reset(msize: number): Promise<void>;
}
