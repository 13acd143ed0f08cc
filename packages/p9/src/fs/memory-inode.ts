import { Mode } from '../protocol/constants.js';
import { fsError } from '../protocol/errno.js';
import type { Attr, Credentials, SetAttr, Timespec } from '../server/filesystem.js';
import { isDir, qidOf } from './mode.js';
import { nowTimespec } from './time.js';

/** One in-memory inode: a file, directory, symlink or special file. */
export class MemInode {
  nlink = 0;
  data: Buffer = Buffer.alloc(0);
  size = 0;
  children?: Map<string, MemInode>;
  parent?: MemInode;
  target?: string;
  rdev = 0n;
  atime: Timespec;
  mtime: Timespec;
  ctime: Timespec;
  readonly btime: Timespec;
  version = 0;
  readonly xattrs = new Map<string, Buffer>();

  constructor(
    readonly ino: bigint,
    public mode: number,
    public uid: number,
    public gid: number,
  ) {
    const now = nowTimespec();
    this.atime = now;
    this.mtime = now;
    this.ctime = now;
    this.btime = now;
    if (isDir(mode)) this.children = new Map();
  }

  get qid() {
    return qidOf(this.mode, this.ino, 0);
  }

  attr(): Attr {
    const size = this.children
      ? 4096n
      : this.target !== undefined
        ? BigInt(Buffer.byteLength(this.target))
        : BigInt(this.size);
    return {
      qid: this.qid,
      mode: this.mode,
      uid: this.uid,
      gid: this.gid,
      nlink: BigInt(this.nlink),
      rdev: this.rdev,
      size,
      blksize: 4096n,
      blocks: (size + 511n) / 512n,
      atime: this.atime,
      mtime: this.mtime,
      ctime: this.ctime,
      btime: this.btime,
      gen: 0n,
      dataVersion: BigInt(this.version),
    };
  }

  touch(mtime = true): void {
    const now = nowTimespec();
    this.ctime = now;
    if (mtime) {
      this.mtime = now;
      this.version++;
    }
  }

  dir(): Map<string, MemInode> {
    if (!this.children) throw fsError('ENOTDIR');
    return this.children;
  }

  read(offset: bigint, count: number): Buffer {
    if (this.children) throw fsError('EISDIR');
    if (offset >= BigInt(this.size)) return Buffer.alloc(0);
    const start = Number(offset);
    return Buffer.from(this.data.subarray(start, Math.min(this.size, start + count)));
  }

  write(offset: bigint, data: Buffer, limit: number): number {
    if (this.children) throw fsError('EISDIR');
    const end = offset + BigInt(data.length);
    if (end > BigInt(limit)) throw fsError('EFBIG');
    const e = Number(end);
    this.ensureCapacity(e);
    data.copy(this.data, Number(offset));
    if (e > this.size) this.size = e;
    this.touch();
    return data.length;
  }

  truncate(size: bigint, limit: number): void {
    if (this.children) throw fsError('EISDIR');
    if ((this.mode & Mode.IFMT) !== Mode.IFREG) throw fsError('EINVAL');
    if (size > BigInt(limit)) throw fsError('EFBIG');
    const n = Number(size);
    this.ensureCapacity(n);
    if (n > this.size) this.data.fill(0, this.size, n);
    this.size = n;
    this.touch();
  }

  private ensureCapacity(n: number): void {
    if (n <= this.data.length) {
      return;
    }
    const next = Buffer.alloc(Math.max(n, Math.min(this.data.length * 2, n + 64 * 1024 * 1024)));
    this.data.copy(next, 0, 0, this.size);
    this.data = next;
  }

  setattr(c: SetAttr, limit: number, cred: Credentials): void {
    void cred;
    if (c.size !== undefined) this.truncate(c.size, limit);
    if (c.mode !== undefined) this.mode = (this.mode & Mode.IFMT) | (c.mode & 0o7777);
    if (c.uid !== undefined) this.uid = c.uid;
    if (c.gid !== undefined) this.gid = c.gid;
    // chown clears set-id bits on regular files, like Linux.
    if ((c.uid !== undefined || c.gid !== undefined) && c.mode === undefined && !this.children) {
      this.mode &= ~0o6000;
    }
    if (c.atime !== undefined) this.atime = c.atime === 'now' ? nowTimespec() : c.atime;
    if (c.mtime !== undefined) this.mtime = c.mtime === 'now' ? nowTimespec() : c.mtime;
    this.ctime = nowTimespec();
  }
}
