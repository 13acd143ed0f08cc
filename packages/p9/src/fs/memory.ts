import { AT_REMOVEDIR, Mode, OpenFlags, XattrFlags } from '../protocol/constants.js';
import { fsError } from '../protocol/errno.js';
import type { Dirent, Qid } from '../protocol/types.js';
import type {
  Attr,
  Credentials,
  FileSystem,
  FsNode,
  FsOpenFile,
  SetAttr,
  StatFs,
} from '../server/filesystem.js';
import { MemInode } from './memory-inode.js';
import { direntTypeOfMode, isLnk } from './mode.js';

export interface MemFsOptions {
  /** Owner of the root directory (default 0:0) and its mode (default 0o755). */
  uid?: number;
  gid?: number;
  mode?: number;
  /** Largest file size in bytes (default 4 GiB). */
  maxFileSize?: number;
}

/**
 * An in-memory filesystem with full POSIX semantics: hard links, symlinks, special files,
 * owners and modes, xattrs, open-unlink (an open file lives until closed). For tests and
 * synthetic trees; everything is lost when the process exits.
 */
export class MemFs implements FileSystem {
  private nextIno = 2n;
  readonly root: MemInode;
  readonly maxFileSize: number;

  constructor(options: MemFsOptions = {}) {
    this.root = new MemInode(
      1n,
      Mode.IFDIR | (options.mode ?? 0o755),
      options.uid ?? 0,
      options.gid ?? 0,
    );
    this.root.nlink = 2;
    this.root.parent = this.root;
    this.maxFileSize = options.maxFileSize ?? 4 * 1024 * 1024 * 1024;
  }

  async attach(): Promise<FsNode> {
    return new MemNode(this, this.root);
  }

  /** Makes a new inode (not linked anywhere yet). */
  allocate(mode: number, cred: Credentials): MemInode {
    return new MemInode(this.nextIno++, mode, cred.uid, cred.gid);
  }

  /** Test and seeding helper: writes a file at a slash-separated path, making directories. */
  writeFile(path: string, content: string | Buffer, mode = 0o644): MemInode {
    const parts = path.split('/').filter(Boolean);
    const name = parts.pop();
    if (!name) throw fsError('EINVAL', 'empty path');
    let dir = this.root;
    for (const p of parts) {
      let next = dir.dir().get(p);
      if (!next) {
        next = this.allocate(Mode.IFDIR | 0o755, { uid: 0, gid: 0 });
        linkInto(dir, p, next);
      }
      dir = next;
    }
    const file = this.allocate(Mode.IFREG | mode, { uid: 0, gid: 0 });
    linkInto(dir, name, file);
    file.write(0n, Buffer.from(content), this.maxFileSize);
    return file;
  }
}

function linkInto(dir: MemInode, name: string, inode: MemInode): void {
  const children = dir.dir();
  if (children.has(name)) throw fsError('EEXIST');
  children.set(name, inode);
  inode.nlink++;
  if (inode.children) {
    inode.parent = dir;
    inode.nlink++; // its own "."
    dir.nlink++; // its ".."
  }
  dir.touch();
}

function unlinkFrom(dir: MemInode, name: string): MemInode {
  const children = dir.dir();
  const inode = children.get(name);
  if (!inode) throw fsError('ENOENT');
  children.delete(name);
  inode.nlink--;
  if (inode.children) {
    inode.nlink--;
    dir.nlink--;
  }
  inode.touch(false);
  dir.touch();
  return inode;
}

function isAncestor(a: MemInode, b: MemInode): boolean {
  for (let x = b; ; x = x.parent as MemInode) {
    if (x === a) return true;
    if (!x.parent || x.parent === x) return false;
  }
}

class MemNode implements FsNode {
  constructor(
    private readonly fs: MemFs,
    readonly inode: MemInode,
  ) {}

  get qid(): Qid {
    return this.inode.qid;
  }

  async walk(name: string): Promise<FsNode> {
    if (name === '..') return new MemNode(this.fs, this.inode.parent ?? this.inode);
    const child = this.inode.dir().get(name);
    if (!child) throw fsError('ENOENT');
    return new MemNode(this.fs, child);
  }

  async clone(): Promise<FsNode> {
    return new MemNode(this.fs, this.inode);
  }

  async getattr(): Promise<Attr> {
    return this.inode.attr();
  }

  async setattr(c: SetAttr, cred: Credentials): Promise<void> {
    this.inode.setattr(c, this.fs.maxFileSize, cred);
  }

  async open(flags: number): Promise<FsOpenFile> {
    const i = this.inode;
    if (isLnk(i.mode)) throw fsError('ELOOP');
    const acc = flags & OpenFlags.ACCMODE;
    if (i.children && acc !== OpenFlags.RDONLY) throw fsError('EISDIR');
    if (flags & OpenFlags.DIRECTORY && !i.children) throw fsError('ENOTDIR');
    if (flags & OpenFlags.TRUNC && acc !== OpenFlags.RDONLY) i.truncate(0n, this.fs.maxFileSize);
    return new MemOpenFile(this.fs, i, flags);
  }

  async create(name: string, flags: number, mode: number, cred: Credentials) {
    const inode = this.fs.allocate(Mode.IFREG | mode, cred);
    linkInto(this.inode, name, inode);
    return {
      node: new MemNode(this.fs, inode) as FsNode,
      file: new MemOpenFile(this.fs, inode, flags) as FsOpenFile,
    };
  }

  async mkdir(name: string, mode: number, cred: Credentials): Promise<Qid> {
    const inode = this.fs.allocate(Mode.IFDIR | mode, cred);
    linkInto(this.inode, name, inode);
    return inode.qid;
  }

  async symlink(name: string, target: string, cred: Credentials): Promise<Qid> {
    const inode = this.fs.allocate(Mode.IFLNK | 0o777, cred);
    inode.target = target;
    linkInto(this.inode, name, inode);
    return inode.qid;
  }

  async mknod(name: string, mode: number, rdev: bigint, cred: Credentials): Promise<Qid> {
    const fmt = mode & Mode.IFMT;
    if (fmt === Mode.IFDIR || fmt === Mode.IFLNK) throw fsError('EINVAL');
    const inode = this.fs.allocate(fmt === 0 ? Mode.IFREG | mode : mode, cred);
    inode.rdev = rdev;
    linkInto(this.inode, name, inode);
    return inode.qid;
  }

  async link(name: string, target: FsNode): Promise<void> {
    if (!(target instanceof MemNode)) throw fsError('EXDEV');
    if (target.inode.children) throw fsError('EPERM');
    if (target.inode.nlink === 0) throw fsError('ENOENT');
    linkInto(this.inode, name, target.inode);
  }

  async renameat(oldName: string, newDir: FsNode, newName: string): Promise<void> {
    if (!(newDir instanceof MemNode)) throw fsError('EXDEV');
    const from = this.inode.dir();
    const to = newDir.inode.dir();
    const moving = from.get(oldName);
    if (!moving) throw fsError('ENOENT');
    const existing = to.get(newName);
    if (existing === moving) return;
    if (moving.children && isAncestor(moving, newDir.inode)) throw fsError('EINVAL');
    if (existing) {
      if (moving.children && !existing.children) throw fsError('ENOTDIR');
      if (!moving.children && existing.children) throw fsError('EISDIR');
      if (existing.children && existing.children.size > 0) throw fsError('ENOTEMPTY');
      unlinkFrom(newDir.inode, newName);
    }
    unlinkFrom(this.inode, oldName);
    linkInto(newDir.inode, newName, moving);
  }

  async unlinkat(name: string, flags: number): Promise<void> {
    const child = this.inode.dir().get(name);
    if (!child) throw fsError('ENOENT');
    if (flags & AT_REMOVEDIR) {
      if (!child.children) throw fsError('ENOTDIR');
      if (child.children.size > 0) throw fsError('ENOTEMPTY');
    } else if (child.children) {
      throw fsError('EISDIR');
    }
    unlinkFrom(this.inode, name);
  }

  async readlink(): Promise<string> {
    if (this.inode.target === undefined) throw fsError('EINVAL');
    return this.inode.target;
  }

  private findName(): { dir: MemInode; name: string } {
    const dir = this.inode.parent;
    if (dir && dir !== this.inode) {
      for (const [n, c] of dir.dir()) if (c === this.inode) return { dir, name: n };
    }
    throw fsError(
      'EOPNOTSUPP',
      'Trename/Tremove of a non-directory needs Trenameat/Tunlinkat on MemFs',
    );
  }

  async rename(newDir: FsNode, newName: string): Promise<void> {
    const { dir, name } = this.findName();
    await new MemNode(this.fs, dir).renameat(name, newDir, newName);
  }

  async remove(): Promise<void> {
    const { dir, name } = this.findName();
    await new MemNode(this.fs, dir).unlinkat(name, this.inode.children ? AT_REMOVEDIR : 0);
  }

  async statfs(): Promise<StatFs> {
    return {
      fsType: 0x01021994, // TMPFS_MAGIC
      bsize: 4096,
      blocks: 1n << 20n,
      bfree: 1n << 19n,
      bavail: 1n << 19n,
      files: 1n << 20n,
      ffree: 1n << 19n,
      fsid: 0x6d656d6673n,
      namelen: 255,
    };
  }

  async getxattr(name: string): Promise<Buffer> {
    const v = this.inode.xattrs.get(name);
    if (!v) throw fsError('ENODATA');
    return v;
  }

  async listxattr(): Promise<string[]> {
    return [...this.inode.xattrs.keys()];
  }

  async setxattr(name: string, value: Buffer, flags: number): Promise<void> {
    const has = this.inode.xattrs.has(name);
    if (flags & XattrFlags.CREATE && has) throw fsError('EEXIST');
    if (flags & XattrFlags.REPLACE && !has) throw fsError('ENODATA');
    this.inode.xattrs.set(name, value);
    this.inode.touch(false);
  }

  async removexattr(name: string): Promise<void> {
    if (!this.inode.xattrs.delete(name)) throw fsError('ENODATA');
    this.inode.touch(false);
  }

  async release(): Promise<void> {}
}

class MemOpenFile implements FsOpenFile {
  private snapshot?: Dirent[];

  constructor(
    private readonly fs: MemFs,
    private readonly inode: MemInode,
    private readonly flags: number,
  ) {}

  async read(offset: bigint, count: number): Promise<Buffer> {
    return this.inode.read(offset, count);
  }

  async write(offset: bigint, data: Buffer): Promise<number> {
    const at = this.flags & OpenFlags.APPEND ? BigInt(this.inode.size) : offset;
    return this.inode.write(at, data, this.fs.maxFileSize);
  }

  async readdir(offset: bigint, count: number): Promise<Dirent[]> {
    const dir = this.inode;
    const children = dir.dir();
    // A snapshot taken at offset 0 keeps cookies stable while the directory changes.
    if (offset === 0n || !this.snapshot) {
      const parent = dir.parent ?? dir;
      const list: [string, MemInode][] = [['.', dir], ['..', parent], ...children];
      this.snapshot = list.map(([name, i], k) => ({
        qid: i.qid,
        offset: BigInt(k + 1),
        type: direntTypeOfMode(i.mode),
        name,
      }));
    }
    const from = Number(offset);
    return this.snapshot.slice(from, from + Math.ceil(count / 24));
  }

  async fsync(): Promise<void> {}

  async getattr(): Promise<Attr> {
    return this.inode.attr();
  }

  async setattr(c: SetAttr, cred: Credentials): Promise<void> {
    this.inode.setattr(c, this.fs.maxFileSize, cred);
  }

  async close(): Promise<void> {
    this.snapshot = undefined;
  }
}
