import { lstatSync, statSync } from 'node:fs';
import fsp from 'node:fs/promises';
import { fsError } from '../protocol/errno.js';
import type { Dirent } from '../protocol/types.js';
import type { Attr, Credentials, FsOpenFile, SetAttr } from '../server/filesystem.js';
import { takeReadBuffer } from '../server/read-buffers.js';
import { attrOf, inodeKey } from './local-attr.js';
import {
  closeQuietly,
  fdatasyncFd,
  fstatBig,
  fsyncFd,
  ftruncateFd,
  readFd,
  writeFd,
} from './local-io.js';
import type { LocalNode } from './local-node.js';
import { dropPrivs } from './local-setattr.js';
import { direntTypeOfMode, qidOf } from './mode.js';
import { entryPath, fdPath } from './proc-paths.js';

/** A LocalFs file or directory opened for I/O; every call goes to this descriptor. */
export class LocalOpenFile implements FsOpenFile {
  private names?: string[];
  private closed = false;

  constructor(
    private readonly node: LocalNode,
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

  async readdir(offset: bigint, count: number): Promise<Dirent[]> {
    if (!this.isDir) throw fsError('ENOTDIR');
    // Names are listed once per pass (at offset 0) so cookies stay stable; attributes of the
    // page being returned are read now.
    if (offset === 0n || !this.names) {
      this.names = ['.', '..', ...(await fsp.readdir(fdPath(this.fd)))];
    }
    const from = Number(offset);
    const page = this.names.slice(from, from + Math.ceil(count / 24));
    const out: Dirent[] = [];
    // lstat inline: a page is at most a few thousand microsecond calls.
    const quiet = { bigint: true, throwIfNoEntry: false } as const;
    const stats = page.map((name) => {
      try {
        if (name === '.') return statSync(fdPath(this.fd), quiet);
        if (name === '..') return statSync(fdPath((this.node.parent ?? this.node).fd), quiet);
        return lstatSync(entryPath(this.fd, name), quiet);
      } catch {
        return undefined;
      }
    });
    page.forEach((name, i) => {
      const st = stats[i];
      if (!st) return; // removed since the listing
      const meta = this.node.fs.metadata.get(inodeKey(st));
      const mode =
        this.node.fs.security === 'mapped' ? attrOf(st, this.node.fs, meta).mode : Number(st.mode);
      out.push({
        qid: qidOf(mode, st.ino),
        offset: BigInt(from + i + 1),
        type: direntTypeOfMode(mode),
        name,
      });
    });
    return out;
  }

  async fsync(datasync: boolean): Promise<void> {
    await (datasync ? fdatasyncFd(this.fd) : fsyncFd(this.fd));
  }

  async getattr(): Promise<Attr> {
    const st = fstatBig(this.fd);
    return attrOf(st, this.node.fs, this.node.fs.metadata.get(inodeKey(st)));
  }

  async setattr(c: SetAttr, cred: Credentials): Promise<void> {
    if (c.size !== undefined && !this.isDir) {
      // A descriptor opened read-only cannot be ftruncated; the inode can still be truncated.
      await ftruncateFd(this.fd, Number(c.size)).catch(async (err: NodeJS.ErrnoException) => {
        if (err.code !== 'EBADF' && err.code !== 'EINVAL') throw err;
        await this.node.setattr({ size: c.size }, cred);
      });
      dropPrivs(this.node, cred, this.fd);
      const { size: _s, ...rest } = c;
      if (Object.keys(rest).length > 0) await this.node.setattr(rest, cred);
      return;
    }
    await this.node.setattr(c, cred);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    closeQuietly(this.fd);
    await this.node.release();
  }
}
