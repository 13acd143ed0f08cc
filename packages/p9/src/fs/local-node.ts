import fs, {
  type BigIntStats,
  constants as C,
  closeSync,
  fchmodSync,
  fchownSync,
  fstatSync,
  openSync,
} from 'node:fs';
import { AT_REMOVEDIR, Mode } from '../protocol/constants.js';
import { fsError } from '../protocol/errno.js';
import type { Qid } from '../protocol/types.js';
import type {
  Attr,
  Credentials,
  FsNode,
  FsOpenFile,
  SetAttr,
  StatFs,
} from '../server/filesystem.js';
import type { LocalFs } from './local.js';
import { attrOf, inodeKey } from './local-attr.js';
import { LocalOpenFile } from './local-file.js';
import {
  closeFd,
  closeQuietly,
  fstatBig,
  lstatQuiet,
  openFd,
  openIfExists,
  openNow,
} from './local-io.js';
import { checkDevice, checkSetid } from './local-policy.js';
import { dropPrivs, setLocalAttr } from './local-setattr.js';
import { makeSpecialFile } from './local-special.js';
import { qidOf } from './mode.js';
import { entryPath, fdPath, O_CLOEXEC, O_DIRECT, O_NOFOLLOW, O_PATH } from './proc-paths.js';

/**
 * One file of a LocalFs export, held by an O_PATH descriptor (so it follows the file across
 * renames and survives unlink), plus the walked parent and name for the few calls that need
 * a directory entry (link, readlink, rename, remove, lchown). Reference counted: children keep
 * their parent's descriptor open.
 *
 * Metadata calls (lstat, mkdir, unlink, rename, chmod, ...) run inline, like the fstat in
 * local-io.ts: on a local filesystem each is a microsecond syscall, while a hop through libuv's
 * thread pool and back costs tens of microseconds of wake-ups, most of a create or an unlink.
 * Large reads and writes, readdir and fsync stay asynchronous.
 */
export class LocalNode implements FsNode {
  private refs = 1;
  readonly key: string;
  readonly qid: Qid;
  readonly fmt: number;

  constructor(
    readonly fs: LocalFs,
    readonly fd: number,
    public parent: LocalNode | null,
    public name: string,
    st: BigIntStats,
  ) {
    this.key = inodeKey(st);
    this.fmt = Number(st.mode) & Mode.IFMT;
    this.qid = qidOf(Number(st.mode), st.ino);
    parent?.retain();
    let set = fs.live.get(this.key);
    if (!set) {
      set = new Set();
      fs.live.set(this.key, set);
    }
    set.add(this);
  }

  retain(): void {
    this.refs++;
  }

  get isDir(): boolean {
    return this.fmt === Mode.IFDIR;
  }

  get isSymlink(): boolean {
    return this.fmt === Mode.IFLNK;
  }

  private dirFd(): number {
    if (!this.isDir) throw fsError('ENOTDIR');
    return this.fd;
  }

  /** Opens `name` in this directory as a new node without following a symlink. */
  private child(name: string): LocalNode {
    // A missing name is the common failure (every create looks it up first): one open,
    // answered without building a stack trace.
    const fd = openIfExists(entryPath(this.dirFd(), name), O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd === undefined) throw fsError('ENOENT');
    return this.adopt(fd, this, name);
  }

  /**
   * Open, fstat and construct with no await in between, so a concurrent release cannot close
   * (and let the kernel reuse) a descriptor between its use and the parent's retain.
   * `known` is the stat of the very object `path` names (a descriptor's magic link), if the
   * caller already has it: only its device, inode and type are used, which cannot change.
   */
  private openNode(
    path: string,
    flags: number,
    parent: LocalNode | null,
    name: string,
    known?: BigIntStats,
  ): LocalNode {
    return this.adopt(openSync(path, flags), parent, name, known);
  }

  /** A node for a descriptor just opened (closed again if the node cannot be made). */
  private adopt(
    fd: number,
    parent: LocalNode | null,
    name: string,
    known?: BigIntStats,
  ): LocalNode {
    try {
      return new LocalNode(this.fs, fd, parent, name, known ?? fstatSync(fd, { bigint: true }));
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  async walk(name: string): Promise<FsNode> {
    if (name === '..') return this.parent ? this.parent.clone() : this.clone();
    return this.child(name);
  }

  async clone(): Promise<LocalNode> {
    // The same object with one more reference: the O_PATH descriptor never changes meaning,
    // and a rename moves every fid of the file anyway. Saves an open and an fstat on the
    // clone the Linux client sends before every create and open.
    this.retain();
    return this;
  }

  async getattr(): Promise<Attr> {
    const st = fstatBig(this.fd);
    return attrOf(st, this.fs, this.fs.metadata.get(this.key));
  }

  async setattr(c: SetAttr, cred: Credentials): Promise<void> {
    await setLocalAttr(this, c, cred);
  }

  /**
   * The directory entry of this node (parent fd + name), checked to still be this inode: used
   * only by calls that act on an entry without following it.
   */
  async entry(): Promise<string> {
    if (!this.parent) throw fsError('EBUSY', 'the export root has no entry');
    const path = entryPath(this.parent.fd, this.name);
    const st = lstatQuiet(path);
    if (!st || inodeKey(st) !== this.key) throw fsError('ESTALE');
    return path;
  }

  async open(flags: number, cred: Credentials): Promise<FsOpenFile> {
    if (this.isSymlink) throw fsError('ELOOP');
    // A device node opens the host's device, whoever made it (a client, or the host).
    checkDevice(this.fs, this.fmt);
    const f = (flags & ~(O_NOFOLLOW | O_DIRECT | C.O_CREAT | C.O_EXCL)) | O_CLOEXEC;
    const plain = this.fmt === Mode.IFREG || this.isDir;
    const fd = plain ? openNow(fdPath(this.fd), f) : await openFd(fdPath(this.fd), f);
    const file = new LocalOpenFile(this, fd, this.isDir, cred);
    // O_TRUNC truncates like Tsetattr of the size does (and drops set-id bits the same way).
    if (flags & C.O_TRUNC) dropPrivs(this, cred, fd);
    return file;
  }

  private async ownNew(path: string, mode: number, cred: Credentials): Promise<void> {
    const st = fs.lstatSync(path, { bigint: true });
    if (this.fs.security === 'mapped') {
      this.fs.metadata.update(inodeKey(st), (m) => {
        m.uid = cred.uid;
        m.gid = cred.gid;
        m.mode = mode;
      });
    } else if (this.fs.security === 'passthrough' && this.fs.isRoot) {
      fs.lchownSync(path, cred.uid, cred.gid);
    }
  }

  private hostMode(mode: number, dir: boolean): number {
    const perm = mode & 0o7777;
    return this.fs.security === 'mapped' ? (perm & 0o777) | (dir ? 0o700 : 0o600) : perm;
  }

  async create(name: string, flags: number, mode: number, cred: Credentials) {
    checkSetid(this.fs, mode);
    const path = entryPath(this.dirFd(), name);
    const f = (flags & ~(O_DIRECT | C.O_TRUNC)) | C.O_CREAT | C.O_EXCL | O_NOFOLLOW | O_CLOEXEC;
    const fd = openNow(path, f, this.hostMode(mode, false));
    try {
      const st = fstatSync(fd, { bigint: true });
      let chowned = false;
      if (this.fs.security === 'mapped') {
        this.fs.metadata.update(inodeKey(st), (m) => {
          m.uid = cred.uid;
          m.gid = cred.gid;
          m.mode = Mode.IFREG | mode;
        });
      } else if (
        this.fs.security === 'passthrough' &&
        this.fs.isRoot &&
        (Number(st.uid) !== cred.uid || Number(st.gid) !== cred.gid)
      ) {
        fchownSync(fd, cred.uid, cred.gid);
        chowned = true;
      }
      // The server's umask must not change what the client asked for: chmod when it did,
      // after the chown (which drops the set-id bits an export with allowSetid keeps).
      if (
        this.fs.security !== 'mapped' &&
        (chowned || (Number(st.mode) & 0o7777) !== (mode & 0o7777))
      ) {
        fchmodSync(fd, mode & 0o7777);
      }
      // The node is the file just made: reopen the new descriptor as O_PATH instead of looking
      // the name up again (which a concurrent rename could already have changed).
      const node = this.openNode(fdPath(fd), O_PATH | O_CLOEXEC, this, name, st);
      const file = new LocalOpenFile(node, fd, false, cred);
      return { node: node as FsNode, file: file as FsOpenFile };
    } catch (err) {
      closeQuietly(fd);
      throw err;
    }
  }

  private async qidAt(path: string): Promise<Qid> {
    const st = fs.lstatSync(path, { bigint: true });
    return attrOf(st, this.fs, this.fs.metadata.get(inodeKey(st))).qid;
  }

  async mkdir(name: string, mode: number, cred: Credentials): Promise<Qid> {
    checkSetid(this.fs, mode);
    const path = entryPath(this.dirFd(), name);
    fs.mkdirSync(path, this.hostMode(mode, true));
    if (this.fs.security !== 'mapped') fs.chmodSync(path, mode & 0o7777);
    await this.ownNew(path, Mode.IFDIR | mode, cred);
    return this.qidAt(path);
  }

  async symlink(name: string, target: string, cred: Credentials): Promise<Qid> {
    const path = entryPath(this.dirFd(), name);
    // Stored as the client wrote it; the server never follows it.
    fs.symlinkSync(target, path);
    await this.ownNew(path, Mode.IFLNK | 0o777, cred);
    return this.qidAt(path);
  }

  async mknod(name: string, mode: number, rdev: bigint, cred: Credentials): Promise<Qid> {
    const path = entryPath(this.dirFd(), name);
    const fmt = mode & Mode.IFMT;
    if (fmt === Mode.IFDIR || fmt === Mode.IFLNK) throw fsError('EINVAL');
    checkDevice(this.fs, mode);
    checkSetid(this.fs, mode);
    if (this.fs.security === 'mapped' || fmt === Mode.IFREG || fmt === 0) {
      // Mapped: special files are regular files whose real type lives in the metadata.
      const fd = await openFd(
        path,
        C.O_CREAT | C.O_EXCL | C.O_WRONLY | O_NOFOLLOW | O_CLOEXEC,
        0o600,
      );
      closeFd(fd);
      await this.ownNew(path, fmt === 0 ? Mode.IFREG | mode : mode, cred);
      // After the chown, which drops set-id bits.
      if (this.fs.security !== 'mapped') fs.chmodSync(path, mode & 0o7777);
      if (this.fs.security === 'mapped' && rdev !== 0n) {
        this.fs.metadata.update(inodeKey(fs.lstatSync(path, { bigint: true })), (m) => {
          m.rdev = rdev.toString();
        });
      }
      return this.qidAt(path);
    }
    await makeSpecialFile(this.dirFd(), name, mode, rdev, this.fs.isRoot);
    await this.ownNew(path, mode, cred);
    return this.qidAt(path);
  }

  async link(name: string, target: FsNode): Promise<void> {
    if (!(target instanceof LocalNode) || target.fs !== this.fs) throw fsError('EXDEV');
    if (target.isDir) throw fsError('EPERM');
    fs.linkSync(await target.entry(), entryPath(this.dirFd(), name));
  }

  async renameat(oldName: string, newDir: FsNode, newName: string): Promise<void> {
    if (!(newDir instanceof LocalNode) || newDir.fs !== this.fs) throw fsError('EXDEV');
    const to = entryPath(newDir.dirFd(), newName);
    fs.renameSync(entryPath(this.dirFd(), oldName), to);
    // Nodes that were walked to the old entry now live at the new one.
    const st = lstatQuiet(to);
    if (!st) return;
    for (const n of this.fs.live.get(inodeKey(st)) ?? []) {
      if (n.parent?.key === this.key && n.name === oldName) n.reparent(newDir, newName);
    }
  }

  reparent(dir: LocalNode, name: string): void {
    const old = this.parent;
    dir.retain();
    this.parent = dir;
    this.name = name;
    void old?.release();
  }

  async unlinkat(name: string, flags: number): Promise<void> {
    const path = entryPath(this.dirFd(), name);
    const st = fs.lstatSync(path, { bigint: true });
    const isDir = (Number(st.mode) & Mode.IFMT) === Mode.IFDIR;
    if (flags & AT_REMOVEDIR) {
      if (!isDir) throw fsError('ENOTDIR');
      fs.rmdirSync(path);
    } else {
      if (isDir) throw fsError('EISDIR');
      fs.unlinkSync(path);
    }
    if (st.nlink <= 1n || isDir) this.fs.metadata.delete(inodeKey(st));
  }

  async readlink(): Promise<string> {
    if (!this.isSymlink) throw fsError('EINVAL');
    return fs.readlinkSync(await this.entry());
  }

  async rename(newDir: FsNode, newName: string): Promise<void> {
    const parent = this.parent;
    if (!parent) throw fsError('EBUSY');
    await this.entry();
    await parent.renameat(this.name, newDir, newName);
  }

  async remove(): Promise<void> {
    const parent = this.parent;
    if (!parent) throw fsError('EBUSY');
    await this.entry();
    await parent.unlinkat(this.name, this.isDir ? AT_REMOVEDIR : 0);
  }

  async statfs(): Promise<StatFs> {
    const s = fs.statfsSync(fdPath(this.fd), { bigint: true });
    return {
      fsType: Number(s.type & 0xffffffffn),
      bsize: Number(s.bsize),
      blocks: s.blocks,
      bfree: s.bfree,
      bavail: s.bavail,
      files: s.files,
      ffree: s.ffree,
      fsid: 0n,
      namelen: 255,
    };
  }

  // User xattrs live in the metadata store (Node has no xattr API); other namespaces are empty.
  async getxattr(name: string): Promise<Buffer> {
    return this.fs.metadata.getXattr(this.key, name);
  }
  async listxattr(): Promise<string[]> {
    return this.fs.metadata.listXattrs(this.key);
  }
  async setxattr(name: string, value: Buffer, flags: number): Promise<void> {
    this.fs.metadata.setXattr(this.key, name, value, flags);
  }
  async removexattr(name: string): Promise<void> {
    this.fs.metadata.removeXattr(this.key, name);
  }

  async release(): Promise<void> {
    if (--this.refs > 0) return;
    const set = this.fs.live.get(this.key);
    set?.delete(this);
    if (set?.size === 0) this.fs.live.delete(this.key);
    closeQuietly(this.fd);
    if (this.parent) await this.parent.release();
  }
}
