import { Mode, OpenFlags } from '../protocol/constants.js';
import { fsError } from '../protocol/errno.js';
import type { Dirent, Qid } from '../protocol/types.js';
import type { Attr, FileSystem, FsNode, FsOpenFile, StatFs } from '../server/filesystem.js';
import { direntTypeOfMode, qidOf } from './mode.js';
import { nowTimespec } from './time.js';

/**
 * What a synthetic file serves: fixed content, content made at open time, or a reader that
 * may wait (a log that follows) and must stop when `signal` aborts (the client's Tflush).
 */
export type SyntheticContent =
  | string
  | Buffer
  | (() => string | Buffer | Promise<string | Buffer>)
  | { read(offset: bigint, count: number, signal: AbortSignal): Promise<Buffer> };

export type SyntheticTree = { [name: string]: SyntheticContent | SyntheticTree };

function isTree(v: SyntheticContent | SyntheticTree): v is SyntheticTree {
  return (
    typeof v === 'object' &&
    !Buffer.isBuffer(v) &&
    typeof (v as { read?: unknown }).read !== 'function'
  );
}

interface Entry {
  ino: bigint;
  mode: number;
  content?: SyntheticContent;
  children?: Map<string, Entry>;
  parent?: Entry;
}

/**
 * A read-only filesystem of generated files (status, logs, metrics) in a few lines:
 * `createServer({ fs: syntheticFs({ status: () => JSON.stringify(state), logs: { app: logReader } }) })`.
 */
export function syntheticFs(tree: SyntheticTree): FileSystem {
  let next = 1n;
  const build = (t: SyntheticTree, parent?: Entry): Entry => {
    const dir: Entry = { ino: next++, mode: Mode.IFDIR | 0o555, children: new Map(), parent };
    for (const [name, v] of Object.entries(t)) {
      if (name === '' || name.includes('/') || name === '.' || name === '..') {
        throw fsError('EINVAL', `invalid synthetic name ${JSON.stringify(name)}`);
      }
      dir.children?.set(
        name,
        isTree(v)
          ? build(v, dir)
          : { ino: next++, mode: Mode.IFREG | 0o444, content: v, parent: dir },
      );
    }
    return dir;
  };
  const root = build(tree);
  const started = nowTimespec();
  return { attach: async () => new SyntheticNode(root, root, started) };
}

class SyntheticNode implements FsNode {
  constructor(
    private readonly root: Entry,
    private readonly e: Entry,
    private readonly time: Attr['mtime'],
  ) {}

  get qid(): Qid {
    return qidOf(this.e.mode, this.e.ino);
  }

  async walk(name: string): Promise<FsNode> {
    if (name === '..') return new SyntheticNode(this.root, this.e.parent ?? this.root, this.time);
    const c = this.e.children?.get(name);
    if (!c) throw fsError(this.e.children ? 'ENOENT' : 'ENOTDIR');
    return new SyntheticNode(this.root, c, this.time);
  }

  async clone(): Promise<FsNode> {
    return new SyntheticNode(this.root, this.e, this.time);
  }

  async getattr(): Promise<Attr> {
    const c = this.e.content;
    const size = typeof c === 'string' ? Buffer.byteLength(c) : Buffer.isBuffer(c) ? c.length : 0;
    return {
      qid: this.qid,
      mode: this.e.mode,
      uid: 0,
      gid: 0,
      nlink: this.e.children ? 2n : 1n,
      rdev: 0n,
      size: BigInt(size),
      blksize: 4096n,
      blocks: 0n,
      atime: this.time,
      mtime: this.time,
      ctime: this.time,
      btime: this.time,
      gen: 0n,
      dataVersion: 0n,
    };
  }

  async open(flags: number): Promise<FsOpenFile> {
    if ((flags & OpenFlags.ACCMODE) !== OpenFlags.RDONLY) throw fsError('EROFS');
    const c = this.e.content;
    let data: Buffer | undefined;
    let reader: ((o: bigint, n: number, s: AbortSignal) => Promise<Buffer>) | undefined;
    if (typeof c === 'function') data = Buffer.from(await c());
    else if (typeof c === 'string' || Buffer.isBuffer(c)) data = Buffer.from(c);
    else if (c) reader = (o, n, s) => c.read(o, n, s);
    const attr = await this.getattr();
    const children = this.e.children;
    return {
      read: async (offset, count, signal) => {
        if (reader) return reader(offset, count, signal);
        if (!data) throw fsError('EISDIR');
        const start = Number(offset > BigInt(data.length) ? BigInt(data.length) : offset);
        return data.subarray(start, start + count);
      },
      readdir: async (offset): Promise<Dirent[]> => {
        if (!children) throw fsError('ENOTDIR');
        return [...children].slice(Number(offset)).map(([name, e], i) => ({
          qid: qidOf(e.mode, e.ino),
          offset: offset + BigInt(i + 1),
          type: direntTypeOfMode(e.mode),
          name,
        }));
      },
      write: async () => {
        throw fsError('EROFS');
      },
      fsync: async () => {},
      getattr: async () => ({ ...attr, size: data ? BigInt(data.length) : attr.size }),
      setattr: async () => {
        throw fsError('EROFS');
      },
      close: async () => {},
    };
  }

  async statfs(): Promise<StatFs> {
    return {
      fsType: 0x01021997,
      bsize: 4096,
      blocks: 0n,
      bfree: 0n,
      bavail: 0n,
      files: 0n,
      ffree: 0n,
      fsid: 0n,
      namelen: 255,
    };
  }

  async readlink(): Promise<string> {
    throw fsError('EINVAL');
  }

  async getxattr(): Promise<Buffer> {
    throw fsError('ENODATA');
  }

  async listxattr(): Promise<string[]> {
    return [];
  }

  async release(): Promise<void> {}

  // Everything that changes the tree: read-only.
  private async rofs(): Promise<never> {
    throw fsError('EROFS');
  }
  setattr = () => this.rofs();
  create = () => this.rofs();
  mkdir = () => this.rofs();
  symlink = () => this.rofs();
  mknod = () => this.rofs();
  link = () => this.rofs();
  renameat = () => this.rofs();
  unlinkat = () => this.rofs();
  rename = () => this.rofs();
  remove = () => this.rofs();
  setxattr = () => this.rofs();
  removexattr = () => this.rofs();
}
