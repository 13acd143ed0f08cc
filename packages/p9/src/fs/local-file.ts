import { type Dirent as HostDirent, parseDirents } from '@multiverse-os/fsat';
import { Mode } from '../protocol/constants.js';
import { fsError } from '../protocol/errno.js';
import type { Dirent } from '../protocol/types.js';
import type { Attr, Credentials, FsOpenFile, SetAttr } from '../server/filesystem.js';
import { takeReadBuffer } from '../server/read-buffers.js';
import { attrOf } from './local-attr.js';
import { type HostNode, metaOf } from './local-export.js';
import { hostError, statFd } from './local-host.js';
import { fdatasyncFd, fsyncFd, ftruncateFd, readFd, writeFd } from './local-io.js';
import { dropPrivs, setLocalAttr } from './local-setattr.js';
import { direntTypeOfMode, qidOf } from './mode.js';

/** getdents64 record kinds -> mode type bits (0: unknown, the client asks with getattr). */
const modeOfType: Record<HostDirent['type'], number> = {
  file: Mode.IFREG,
  directory: Mode.IFDIR,
  symlink: Mode.IFLNK,
  fifo: Mode.IFIFO,
  socket: Mode.IFSOCK,
  'char-device': Mode.IFCHR,
  'block-device': Mode.IFBLK,
  unknown: 0,
};

/** One getdents64 buffer for all directories: filled and parsed with no await in between. */
const direntBuffer = Buffer.alloc(64 * 1024);
/** Enough for one record with a 255-byte name (getdents answers EINVAL below that). */
const MIN_DIRENT_READ = 512;

/** A LocalFs file or directory opened for I/O; every call goes to this descriptor. */
export class LocalOpenFile implements FsOpenFile {
  /** Where the directory descriptor stands (a getdents64 d_off cookie; 0 = the start). */
  private position = 0n;
  private closed = false;

  constructor(
    private readonly node: HostNode,
    readonly fd: number,
    private readonly isDir: boolean,
    /** Who opened it: a write by anyone but root drops set-id bits, as the kernel does. */
    private readonly cred?: Credentials,
  ) {
    node.retain();
  }

  async read(offset: bigint, count: number): Promise<Buffer> {
    if (this.isDir) throw fsError('EISDIR');
    const buf = takeReadBuffer(count);
    const n = await readFd(this.fd, buf, offset);
    return buf.subarray(0, n);
  }

  async write(offset: bigint, data: Buffer): Promise<number> {
    if (this.isDir) throw fsError('EISDIR');
    if (this.cred?.uid !== 0) dropPrivs(this.node, this.cred, this.fd);
    return writeFd(this.fd, data, offset);
  }

  /**
   * The host directory's own entries and cookies (getdents64's d_off): an offset the client
   * sends back is sought to (lseek), so pages resume exactly where the last one ended, even
   * when entries the server packed no room for were dropped or the directory changed.
   */
  async readdir(offset: bigint, count: number): Promise<Dirent[]> {
    if (!this.isDir) throw fsError('ENOTDIR');
    const { host: h, security } = this.node.share;
    if (offset !== this.position) {
      // Cookies travel as u64; the kernel's loff_t is signed (a cookie is never negative on
      // Linux filesystems, but a hostile client may send anything: lseek then says EINVAL).
      const at = h.at.lseek(this.fd, BigInt.asIntN(64, offset), h.c.SEEK_SET);
      if (typeof at === 'number') throw hostError(at);
      this.position = offset;
    }
    const buffer = direntBuffer.subarray(
      0,
      Math.max(MIN_DIRENT_READ, Math.min(count, direntBuffer.length)),
    );
    const n = h.at.getdents(this.fd, buffer);
    if (n < 0) throw hostError(n);
    const entries = parseDirents(buffer, n);
    const last = entries.at(-1);
    if (last) this.position = BigInt.asUintN(64, last.offset);
    let dotIno: bigint | undefined;
    const out: Dirent[] = [];
    for (const e of entries) {
      let mode = modeOfType[e.type];
      // Under `mapped` a regular file may stand for a symlink or special file: the client
      // learns the type from getattr (QEMU's mapped-xattr answers DT_UNKNOWN too).
      if (security === 'mapped' && mode === Mode.IFREG) mode = 0;
      let ino = e.ino;
      if (e.name === '.') dotIno = ino;
      // `..` of the export root is outside it: answer with the root itself.
      if (e.name === '..' && !this.node.parent) ino = dotIno ?? ino;
      out.push({
        qid: qidOf(mode, ino),
        offset: BigInt.asUintN(64, e.offset),
        type: direntTypeOfMode(mode),
        name: e.name,
      });
    }
    return out;
  }

  async fsync(datasync: boolean): Promise<void> {
    await (datasync ? fdatasyncFd(this.fd) : fsyncFd(this.fd));
  }

  async getattr(): Promise<Attr> {
    const exp = this.node.share;
    const meta = metaOf(exp, this.fd);
    return attrOf(statFd(exp.host, this.fd), exp, meta);
  }

  async setattr(c: SetAttr, cred: Credentials): Promise<void> {
    if (c.size !== undefined && !this.isDir) {
      // A descriptor opened read-only cannot be ftruncated; the inode can still be truncated.
      await ftruncateFd(this.fd, Number(c.size)).catch(async (err: NodeJS.ErrnoException) => {
        if (err.code !== 'EBADF' && err.code !== 'EINVAL') throw err;
        await setLocalAttr(this.node, { size: c.size }, cred);
      });
      dropPrivs(this.node, cred, this.fd);
      const { size: _s, ...rest } = c;
      if (Object.keys(rest).length > 0) await setLocalAttr(this.node, rest, cred);
      return;
    }
    await setLocalAttr(this.node, c, cred);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.node.share.host.at.close(this.fd);
    await this.node.release();
  }
}
