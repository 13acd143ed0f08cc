import { readSync, statfsSync, writeSync } from 'node:fs';
import { StatField } from '@multiverse-os/fsat';
import { AT_REMOVEDIR, Mode } from '../protocol/constants.js';
import { FsError, fsError } from '../protocol/errno.js';
import type { Qid } from '../protocol/types.js';
import type {
  Attr,
  Credentials,
  FsNode,
  FsOpenFile,
  SetAttr,
  StatFs,
} from '../server/filesystem.js';
import { attrOf, mappedMode } from './local-attr.js';
import { type HostNode, type LiveNode, type LocalExport, metaOf } from './local-export.js';
import { LocalOpenFile } from './local-file.js';
import {
  hostError,
  inodeKeyOf,
  inoOf,
  modeOf,
  ok,
  procPathOf,
  reopen,
  statAt,
  statFd,
} from './local-host.js';
import { readMappedMode, writeMapped } from './local-mapped.js';
import { checkDevice, checkSetid, isDevice } from './local-policy.js';
import { dropPrivs, setLocalAttr } from './local-setattr.js';
import { getXattr, listXattrs, removeXattr, setXattr } from './local-xattr.js';
import { qidOf, splitdev } from './mode.js';

/** Longest symlink target read back from a `mapped` symlink (a regular file holding it). */
const MAX_TARGET = 4096;

/**
 * One file of a LocalFs export, held by an O_PATH descriptor (so it follows the file across
 * renames and survives unlink), plus the walked parent and name for the calls that act on a
 * directory entry (link, rename, remove). Reference counted: children keep their parent's
 * descriptor open.
 *
 * Every lookup is one openat2(parent, name, O_PATH | O_NOFOLLOW) with RESOLVE_BENEATH |
 * RESOLVE_NO_MAGICLINKS, every entry call one *at call on the held parent and the name, and
 * every object call one call on the node's descriptor (@multiverse-os/fsat). They run inline:
 * each is a microsecond system call, where a hop through libuv's thread pool costs tens.
 * Large reads and writes, fsync and the open of a FIFO or device stay asynchronous.
 */
export class LocalNode implements FsNode, HostNode, LiveNode {
  private refs = 1;
  readonly key: string;
  readonly qid: Qid;
  readonly fmt: number;
  readonly isSymlink: boolean;

  /** `st` is the statx buffer just filled for `fd` (read before anything else refills it). */
  constructor(
    readonly share: LocalExport,
    readonly fd: number,
    public parent: LocalNode | null,
    public name: string,
    st: BigInt64Array,
  ) {
    this.key = inodeKeyOf(st);
    const hostMode = modeOf(st);
    const ino = inoOf(st);
    this.fmt = hostMode & Mode.IFMT;
    const mode =
      share.security === 'mapped' && this.fmt === Mode.IFREG
        ? mappedMode(hostMode, readMappedMode(share.host, fd))
        : hostMode;
    this.isSymlink = (mode & Mode.IFMT) === Mode.IFLNK;
    this.qid = qidOf(mode, ino);
    parent?.retain();
    let set = share.live.get(this.key);
    if (!set) {
      set = new Set();
      share.live.set(this.key, set);
    }
    set.add(this);
  }

  retain(): void {
    this.refs++;
  }

  get isDir(): boolean {
    return this.fmt === Mode.IFDIR;
  }

  private dirFd(): number {
    if (!this.isDir) throw fsError('ENOTDIR');
    return this.fd;
  }

  /** openat2 of one name beneath this directory: a new descriptor, or -errno. */
  private openAt(name: string, flags: number, mode = 0): number {
    const h = this.share.host;
    return h.at.openat2(this.dirFd(), name, flags, mode, h.beneath);
  }

  /** O_PATH descriptor of the entry `name` (never a symlink's target), or throws its errno. */
  private openEntry(name: string): number {
    const c = this.share.host.c;
    return ok(this.openAt(name, c.O_PATH | c.O_NOFOLLOW));
  }

  /**
   * A node for a descriptor just opened (closed again if the node cannot be made). statx and
   * construct with no await in between, so a concurrent release cannot close (and let the
   * kernel reuse) a descriptor between its use and the parent's retain.
   */
  private adopt(fd: number, parent: LocalNode | null, name: string): LocalNode {
    try {
      return new LocalNode(this.share, fd, parent, name, statFd(this.share.host, fd));
    } catch (err) {
      this.share.host.at.close(fd);
      throw err;
    }
  }

  async walk(name: string): Promise<FsNode> {
    const found = this.tryWalk(name);
    if (found instanceof FsError) throw found;
    return found;
  }

  /**
   * One walk step, synchronously. A missing name is the common failure (every create looks
   * its name up first): openat2 answers -ENOENT and the error is returned, not thrown, so
   * the server replies without unwinding an exception.
   */
  tryWalk(name: string): LocalNode | FsError {
    if (name === '..') {
      const up = this.parent ?? this;
      up.retain();
      return up;
    }
    if (!this.isDir) return fsError('ENOTDIR');
    const c = this.share.host.c;
    const fd = this.openAt(name, c.O_PATH | c.O_NOFOLLOW);
    if (fd < 0) return hostError(fd);
    return this.adopt(fd, this, name);
  }

  async clone(): Promise<LocalNode> {
    // The same object with one more reference: the O_PATH descriptor never changes meaning,
    // and a rename moves every fid of the file anyway. Saves an open and a statx on the
    // clone the Linux client sends before every create and open.
    this.retain();
    return this;
  }

  async getattr(): Promise<Attr> {
    const meta = metaOf(this.share, this.fd);
    return attrOf(statFd(this.share.host, this.fd), this.share, meta);
  }

  async setattr(c: SetAttr, cred: Credentials): Promise<void> {
    await setLocalAttr(this, c, cred);
  }

  /**
   * The parent holding this node's directory entry, checked to still name this inode: used
   * only by calls that act on an entry (link, rename, remove).
   */
  private entryParent(): LocalNode {
    const parent = this.parent;
    if (!parent) throw fsError('EBUSY', 'the export root has no entry');
    const r = statAt(this.share.host, parent.fd, this.name);
    if (r < 0 || inodeKeyOf(this.share.host.stat) !== this.key) throw fsError('ESTALE');
    return parent;
  }

  async open(flags: number, cred: Credentials): Promise<FsOpenFile> {
    if (this.isSymlink) throw fsError('ELOOP');
    // A device node opens the host's device, whoever made it (a client, or the host).
    checkDevice(this.share, this.fmt);
    const { host: h } = this.share;
    const c = h.c;
    const f = flags & ~(c.O_NOFOLLOW | c.O_DIRECT | c.O_CREAT | c.O_EXCL);
    // FIFOs, sockets and devices open non-blocking: a FIFO's open would otherwise wait for a
    // peer on one of libuv's four threads, and a few such opens by a raw client would stall
    // every asynchronous file operation of the server. Reads and writes then answer EAGAIN
    // instead of waiting. (The Linux client never sends Tlopen for these: it opens special
    // files in the guest's own kernel.)
    const special = this.fmt !== Mode.IFREG && !this.isDir;
    const fd = ok(reopen(h, this.fd, special ? f | c.O_NONBLOCK : f));
    const file = new LocalOpenFile(this, fd, this.isDir, cred);
    // O_TRUNC truncates like Tsetattr of the size does (and drops set-id bits the same way).
    if (flags & c.O_TRUNC) dropPrivs(this, cred, fd);
    return file;
  }

  /** Host permission bits of a new object: under `mapped`, always usable by the server. */
  private hostMode(mode: number, dir: boolean): number {
    const perm = mode & 0o7777;
    return this.share.security === 'mapped' ? (perm & 0o777) | (dir ? 0o700 : 0o600) : perm;
  }

  /**
   * Makes the new object `fd` holds the client's: its owner and full mode in the `mapped`
   * attributes, or (passthrough as root) a real chown, then the exact mode asked for (the
   * server's umask must not change it; after the chown, which drops set-id bits).
   */
  private own(fd: number, mode: number, cred: Credentials, rdev?: bigint): void {
    const h = this.share.host;
    if (this.share.security === 'mapped') {
      writeMapped(h, fd, { uid: cred.uid, gid: cred.gid, mode, rdev });
      return;
    }
    if (this.share.security === 'passthrough' && this.share.isRoot) {
      ok(h.at.fchownat(fd, '', cred.uid, cred.gid, h.c.AT_EMPTY_PATH));
    }
    if ((mode & Mode.IFMT) !== Mode.IFLNK) ok(h.at.fchmodat(fd, '', mode & 0o7777, 0));
  }

  /** The qid of the object `fd` holds, as the client will see it. */
  private qidOf(fd: number): Qid {
    const h = this.share.host;
    const st = statFd(h, fd);
    const ino = inoOf(st);
    let mode = modeOf(st);
    if (this.share.security === 'mapped') mode = mappedMode(mode, readMappedMode(h, fd));
    return qidOf(mode, ino);
  }

  /** Runs `body` on a new O_PATH descriptor of `name`, then closes it. */
  private withEntry<T>(name: string, body: (fd: number) => T): T {
    const fd = this.openEntry(name);
    try {
      return body(fd);
    } finally {
      this.share.host.at.close(fd);
    }
  }

  async create(name: string, flags: number, mode: number, cred: Credentials) {
    checkSetid(this.share, mode);
    const { host: h } = this.share;
    const c = h.c;
    const f = (flags & ~(c.O_DIRECT | c.O_TRUNC)) | c.O_CREAT | c.O_EXCL | c.O_NOFOLLOW;
    const fd = ok(this.openAt(name, f, this.hostMode(mode, false)));
    try {
      const st = statFd(h, fd);
      const hostMode = modeOf(st);
      const differs =
        Number(st[StatField.uid]) !== cred.uid || Number(st[StatField.gid]) !== cred.gid;
      if (this.share.security === 'mapped') {
        writeMapped(h, fd, { uid: cred.uid, gid: cred.gid, mode: Mode.IFREG | (mode & 0o7777) });
      } else if (this.share.security === 'passthrough' && this.share.isRoot && differs) {
        this.own(fd, Mode.IFREG | mode, cred);
      } else if ((hostMode & 0o7777) !== (mode & 0o7777)) {
        ok(h.at.fchmodat(fd, '', mode & 0o7777, 0));
      }
      // The node is the file just made: reopen the new descriptor as O_PATH instead of looking
      // the name up again (which a concurrent rename could already have changed). `st` still
      // holds this file's statx (nothing since refilled it), and the node reads only its
      // device, inode and type from it, which the chown and chmod above did not change.
      const nodeFd = ok(reopen(h, fd, c.O_PATH));
      let node: LocalNode;
      try {
        node = new LocalNode(this.share, nodeFd, this, name, st);
      } catch (err) {
        h.at.close(nodeFd);
        throw err;
      }
      const file = new LocalOpenFile(node, fd, false, cred);
      return { node: node as FsNode, file: file as FsOpenFile };
    } catch (err) {
      h.at.close(fd);
      throw err;
    }
  }

  async mkdir(name: string, mode: number, cred: Credentials): Promise<Qid> {
    checkSetid(this.share, mode);
    ok(this.share.host.at.mkdirat(this.dirFd(), name, this.hostMode(mode, true)));
    return this.withEntry(name, (fd) => {
      this.own(fd, Mode.IFDIR | (mode & 0o7777), cred);
      return this.qidOf(fd);
    });
  }

  async symlink(name: string, target: string, cred: Credentials): Promise<Qid> {
    const { host: h } = this.share;
    const c = h.c;
    if (this.share.security === 'mapped') {
      // As QEMU's mapped-xattr keeps them: a regular file holding the target, whose stored
      // mode says symlink (user xattrs cannot be set on a real symlink).
      const fd = ok(this.openAt(name, c.O_CREAT | c.O_EXCL | c.O_WRONLY | c.O_NOFOLLOW, 0o600));
      try {
        writeSync(fd, Buffer.from(target));
        this.own(fd, Mode.IFLNK | 0o777, cred);
        return this.qidOf(fd);
      } finally {
        h.at.close(fd);
      }
    }
    // Stored as the client wrote it; the server never follows it.
    ok(h.at.symlinkat(target, this.dirFd(), name));
    return this.withEntry(name, (fd) => {
      this.own(fd, Mode.IFLNK | 0o777, cred);
      return this.qidOf(fd);
    });
  }

  async mknod(name: string, mode: number, rdev: bigint, cred: Credentials): Promise<Qid> {
    const fmt = mode & Mode.IFMT;
    if (fmt === Mode.IFDIR || fmt === Mode.IFLNK) throw fsError('EINVAL');
    checkDevice(this.share, mode);
    checkSetid(this.share, mode);
    const full = (fmt === 0 ? Mode.IFREG : fmt) | (mode & 0o7777);
    const { host: h } = this.share;
    const c = h.c;
    if (this.share.security === 'mapped') {
      // Special files are regular files whose real type lives in user.virtfs.mode.
      const fd = ok(this.openAt(name, c.O_CREAT | c.O_EXCL | c.O_WRONLY | c.O_NOFOLLOW, 0o600));
      try {
        this.own(fd, full, cred, isDevice(mode) ? rdev : undefined);
        return this.qidOf(fd);
      } finally {
        h.at.close(fd);
      }
    }
    // mknodat makes FIFOs and sockets (what `bind` in a guest asks for) unprivileged, and
    // device nodes as root (checkDevice let them through only with allowDevices).
    const { major, minor } = splitdev(rdev);
    ok(
      h.at.mknodat(
        this.dirFd(),
        name,
        (full & Mode.IFMT) | this.hostMode(mode, false),
        major,
        minor,
      ),
    );
    return this.withEntry(name, (fd) => {
      this.own(fd, full, cred);
      return this.qidOf(fd);
    });
  }

  async link(name: string, target: FsNode): Promise<void> {
    if (!(target instanceof LocalNode) || target.share !== this.share) throw fsError('EXDEV');
    if (target.isDir) throw fsError('EPERM');
    const from = target.entryParent();
    ok(this.share.host.at.linkat(from.fd, target.name, this.dirFd(), name, 0));
  }

  async renameat(oldName: string, newDir: FsNode, newName: string): Promise<void> {
    if (!(newDir instanceof LocalNode) || newDir.share !== this.share) throw fsError('EXDEV');
    const h = this.share.host;
    ok(h.at.renameat2(this.dirFd(), oldName, newDir.dirFd(), newName, 0));
    // Nodes that were walked to the old entry now live at the new one.
    if (statAt(h, newDir.fd, newName) < 0) return;
    for (const n of this.share.live.get(inodeKeyOf(h.stat)) ?? []) {
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
    const h = this.share.host;
    ok(h.at.unlinkat(this.dirFd(), name, flags & AT_REMOVEDIR ? h.c.AT_REMOVEDIR : 0));
  }

  async readlink(): Promise<string> {
    if (!this.isSymlink) throw fsError('EINVAL');
    const h = this.share.host;
    if (this.fmt === Mode.IFLNK) {
      const target = h.at.readlinkat(this.fd, '');
      if (typeof target === 'number') throw hostError(target);
      return target;
    }
    // `mapped`: the target is the content of a regular file.
    const fd = ok(reopen(h, this.fd, h.c.O_RDONLY));
    try {
      const buf = Buffer.alloc(MAX_TARGET);
      return buf.subarray(0, readSync(fd, buf, 0, MAX_TARGET, 0)).toString();
    } finally {
      h.at.close(fd);
    }
  }

  async rename(newDir: FsNode, newName: string): Promise<void> {
    await this.entryParent().renameat(this.name, newDir, newName);
  }

  async remove(): Promise<void> {
    await this.entryParent().unlinkat(this.name, this.isDir ? AT_REMOVEDIR : 0);
  }

  async statfs(): Promise<StatFs> {
    const s = statfsSync(procPathOf(this.fd), { bigint: true });
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

  // Extended attributes live on the host inode, in every model (see local-xattr.ts).
  async getxattr(name: string): Promise<Buffer> {
    return getXattr(this.share, this.fd, name);
  }
  async listxattr(): Promise<string[]> {
    return listXattrs(this.share, this.fd);
  }
  async setxattr(name: string, value: Buffer, flags: number): Promise<void> {
    setXattr(this.share, this.fd, name, value, flags);
  }
  async removexattr(name: string): Promise<void> {
    removeXattr(this.share, this.fd, name);
  }

  async release(): Promise<void> {
    if (--this.refs > 0) return;
    const set = this.share.live.get(this.key);
    set?.delete(this);
    if (set?.size === 0) this.share.live.delete(this.key);
    this.share.host.at.close(this.fd);
    if (this.parent) await this.parent.release();
  }
}
