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

/** What every request of one connection shares. */
export type SharedContext = Pick<
  RequestContext,
  'fs' | 'fids' | 'locks' | 'readonly' | 'connectionId' | 'reset'
>;

/**
 * What a handler sees: a small class (one shape, getters on the prototype) rather than an
 * object literal with getters, which would build new accessors on every request.
 */
export class RequestScope implements RequestContext {
  readonly fs: RequestContext['fs'];
  readonly fids: RequestContext['fids'];
  readonly locks: RequestContext['locks'];
  readonly readonly: boolean;
  readonly connectionId: string;
  readonly reset: RequestContext['reset'];

  constructor(
    shared: SharedContext,
    readonly msize: number,
    readonly maxXattrSize: number,
    private readonly request: { readonly signal: AbortSignal; readonly isAborted: boolean },
  ) {
    this.fs = shared.fs;
    this.fids = shared.fids;
    this.locks = shared.locks;
    this.readonly = shared.readonly;
    this.connectionId = shared.connectionId;
    this.reset = shared.reset;
  }

  get signal(): AbortSignal {
    return this.request.signal;
  }

  get aborted(): boolean {
    return this.request.isAborted;
  }
}
