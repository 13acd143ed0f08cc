import type { FsError } from '../protocol/errno.js';
import type { Dirent, Qid } from '../protocol/types.js';

/**
 * The backend contract: what a filesystem implements so `createServer` can export it.
 *
 * Errors: throw `FsError` (see `fsError('ENOENT')`) or let Node's system errors through (their
 * `code` is mapped to the Linux errno); anything else becomes EIO. The server never crashes
 * on a backend error, the client gets Rlerror.
 *
 * Names: every `name` argument has been checked by the server: non-empty, at most 255 bytes,
 * no `/`, and never `.` or `..` (except `walk`, which receives `..` and must clamp it at the
 * export root: `..` of the root is the root).
 *
 * Concurrency: the server runs many requests at once, on different nodes and on the same node.
 * Backends must tolerate that (Node's event loop keeps each await step atomic).
 *
 * Lifetime: each fid owns the node `attach`/`walk`/`clone`/`create` gave it, and `release` is
 * called once when the fid is clunked or removed; the fid never uses the node afterwards.
 * `clone` may return the same object with a reference count (LocalFs does) when nothing in
 * the node is per-fid: then `release` must free it only when the last fid lets go.
 */
export interface FileSystem {
  /** The root node for `Tattach` (`aname` is the requested tree, often '' or the export path). */
  attach(aname: string, cred: Credentials): Promise<FsNode>;
}

/** Who asks: uid from Tattach's n_uname, gid from the request (or the user's primary gid). */
export interface Credentials {
  uid: number;
  gid: number;
}

export interface Timespec {
  sec: bigint;
  nsec: bigint;
}

/** File attributes as Rgetattr carries them (Linux `struct stat` semantics). */
export interface Attr {
  qid: Qid;
  mode: number;
  uid: number;
  gid: number;
  nlink: bigint;
  rdev: bigint;
  size: bigint;
  blksize: bigint;
  blocks: bigint;
  atime: Timespec;
  mtime: Timespec;
  ctime: Timespec;
  btime: Timespec;
  gen: bigint;
  dataVersion: bigint;
}

/** Tsetattr changes: only the present fields change. `'now'` means the server's clock. */
export interface SetAttr {
  mode?: number;
  uid?: number;
  gid?: number;
  size?: bigint;
  atime?: Timespec | 'now';
  mtime?: Timespec | 'now';
  /** Only ctime was asked for (touch of metadata): backends may just update ctime. */
  ctime?: boolean;
}

export interface StatFs {
  fsType: number;
  bsize: number;
  blocks: bigint;
  bfree: bigint;
  bavail: bigint;
  files: bigint;
  ffree: bigint;
  fsid: bigint;
  namelen: number;
}

/** A file, directory, symlink or special file, as one fid sees it. */
export interface FsNode {
  /** The identity the client caches: type bits and a stable `path` (inode number). */
  readonly qid: Qid;

  /** One step down (`name`) or up (`..`, clamped at the export root). New node. */
  walk(name: string): Promise<FsNode>;
  /**
   * Optional: `walk` done synchronously, with the failure returned instead of thrown. For
   * backends where a missing name is common (every create looks its name up first) and
   * known at once: the server then answers it without an exception.
   */
  tryWalk?(name: string): FsNode | FsError;
  /** A second node for the same file (Twalk with no names). */
  clone(): Promise<FsNode>;
  getattr(): Promise<Attr>;
  setattr(changes: SetAttr, cred: Credentials): Promise<void>;
  /** Opens this node with Linux open flags (O_CREAT/O_EXCL are never passed). */
  open(flags: number, cred: Credentials): Promise<FsOpenFile>;

  // Directory operations: `this` is the directory.
  /** Creates and opens a regular file (O_EXCL semantics). */
  create(
    name: string,
    flags: number,
    mode: number,
    cred: Credentials,
  ): Promise<{ node: FsNode; file: FsOpenFile }>;
  mkdir(name: string, mode: number, cred: Credentials): Promise<Qid>;
  symlink(name: string, target: string, cred: Credentials): Promise<Qid>;
  /** `mode` includes the file type bits (S_IFIFO, S_IFCHR, ...). */
  mknod(name: string, mode: number, rdev: bigint, cred: Credentials): Promise<Qid>;
  /** Makes `name` in this directory a hard link to `target` (a node of this filesystem). */
  link(name: string, target: FsNode): Promise<void>;
  renameat(oldName: string, newDir: FsNode, newName: string): Promise<void>;
  /** `flags` may hold AT_REMOVEDIR (0x200): then only directories, and only empty ones. */
  unlinkat(name: string, flags: number): Promise<void>;

  // Operations on the node itself.
  readlink(): Promise<string>;
  /** Trename: moves this node into `newDir` as `newName`. */
  rename(newDir: FsNode, newName: string): Promise<void>;
  /** Tremove: unlinks this node (rmdir for directories). */
  remove(): Promise<void>;
  statfs(): Promise<StatFs>;

  /** Extended attributes; the server already refused `trusted.*`/`security.*` writes. */
  getxattr(name: string): Promise<Buffer>;
  listxattr(): Promise<string[]>;
  /** flags: XATTR_CREATE (1) / XATTR_REPLACE (2). */
  setxattr(name: string, value: Buffer, flags: number): Promise<void>;
  removexattr(name: string): Promise<void>;

  /** The fid is gone: free what the node holds (not the open file, which gets its own close). */
  release(): Promise<void>;
}

/** An open file or directory; operations go to the open object (so open-unlink-fstat works). */
export interface FsOpenFile {
  /**
   * Up to `count` bytes at `offset`; fewer only at end of file. `signal` aborts on Tflush.
   * A large read may fill a buffer from `takeReadBuffer(count)`: the server gives it back to
   * the pool once the reply is written, so the backend must not keep it.
   */
  read(offset: bigint, count: number, signal: AbortSignal): Promise<Buffer>;
  /**
   * Writes `data` at `offset` (the end for O_APPEND) and returns the count written. `data` is
   * a view into the request's frame (no copy on the way in): copy what the backend keeps after
   * the call, or it holds on to the whole frame.
   */
  write(offset: bigint, data: Buffer, signal: AbortSignal): Promise<number>;
  /**
   * Directory entries after cookie `offset` (0 = from the start). Each entry's `offset` is the
   * cookie that resumes after it. Return at least the entries that fit in `count` bytes; the
   * server packs them and drops the rest.
   */
  readdir(offset: bigint, count: number): Promise<Dirent[]>;
  fsync(datasync: boolean): Promise<void>;
  /** Attributes of the open object (used in preference to the node's). */
  getattr(): Promise<Attr>;
  /** ftruncate and friends on the open object. */
  setattr(changes: SetAttr, cred: Credentials): Promise<void>;
  close(): Promise<void>;
}
