import type { Duplex } from 'node:stream';
import { RemoteError } from '../errors.js';
import {
  AT_REMOVEDIR,
  GetattrMask,
  IOHDRSZ,
  NOFID,
  NONUNAME,
  OpenFlags,
} from '../protocol/constants.js';
import { decodeDirents } from '../protocol/dirent.js';
import type { MessageOf } from '../protocol/messages.js';
import type { Dirent, Qid } from '../protocol/types.js';
import { type ClientOptions, openStream, P9Connection } from './client.js';

export type Stat = Omit<MessageOf<'Rgetattr'>, 'type' | 'tag'>;

export interface AttachOptions {
  uname?: string;
  aname?: string;
  uid?: number;
}

function unsupported(err: unknown): boolean {
  return (
    err instanceof RemoteError && (err.errnoName === 'EOPNOTSUPP' || err.errnoName === 'ENOSYS')
  );
}

function splitPath(path: string): string[] {
  return path.split('/').filter((p) => p !== '' && p !== '.');
}

/**
 * A 9P2000.L client for tools that read or change a share without mounting it. Paths are
 * relative to the attached root ("a/b/c"); `fid`-level calls are there for everything else.
 */
export class P9Client {
  rootFid = NOFID;

  constructor(readonly conn: P9Connection) {}

  get msize(): number {
    return this.conn.msize;
  }

  async attach(opts: AttachOptions = {}): Promise<Qid> {
    const fid = this.conn.allocFid();
    const r = await this.conn.rpc({
      type: 'Tattach',
      fid,
      afid: NOFID,
      uname: opts.uname ?? 'root',
      aname: opts.aname ?? '',
      nUname: opts.uid ?? NONUNAME,
    });
    this.rootFid = fid;
    return r.qid;
  }

  /** Walks from `from` (default: root) to a new fid; throws ENOENT-style RemoteError if short. */
  async walk(path: string | string[], from = this.rootFid): Promise<number> {
    const names = typeof path === 'string' ? splitPath(path) : path;
    let fid = from;
    let first = true;
    // Twalk carries at most 16 names; longer paths walk in steps.
    for (let i = 0; i === 0 || i < names.length; i += 16) {
      const chunk = names.slice(i, i + 16);
      const newfid = this.conn.allocFid();
      try {
        const r = await this.conn.rpc({ type: 'Twalk', fid, newfid, names: chunk });
        if (r.qids.length !== chunk.length) throw new RemoteError(2, 'ENOENT', 'Twalk');
      } catch (err) {
        this.conn.releaseFid(newfid);
        if (!first) await this.clunk(fid);
        throw err;
      }
      if (!first) await this.clunk(fid);
      first = false;
      fid = newfid;
    }
    return fid;
  }

  async clunk(fid: number): Promise<void> {
    try {
      await this.conn.rpc({ type: 'Tclunk', fid });
    } finally {
      this.conn.releaseFid(fid);
    }
  }

  async open(fid: number, flags: number): Promise<Qid> {
    return (await this.conn.rpc({ type: 'Tlopen', fid, flags })).qid;
  }

  /** Reads `count` bytes at `offset` (several Treads if count exceeds the msize). */
  async read(fid: number, offset: bigint, count: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    let got = 0;
    const max = this.conn.msize - IOHDRSZ;
    while (got < count) {
      const r = await this.conn.rpc({
        type: 'Tread',
        fid,
        offset: offset + BigInt(got),
        count: Math.min(max, count - got),
      });
      if (r.data.length === 0) break;
      parts.push(r.data);
      got += r.data.length;
    }
    return Buffer.concat(parts);
  }

  async write(fid: number, offset: bigint, data: Buffer): Promise<number> {
    const max = this.conn.msize - IOHDRSZ;
    let done = 0;
    while (done < data.length) {
      const chunk = data.subarray(done, done + max);
      const r = await this.conn.rpc({
        type: 'Twrite',
        fid,
        offset: offset + BigInt(done),
        data: chunk,
      });
      if (r.count === 0) break;
      done += r.count;
    }
    return done;
  }

  async getattr(fid: number, mask: bigint = GetattrMask.ALL): Promise<Stat> {
    const {
      type: _t,
      tag: _g,
      ...rest
    } = await this.conn.rpc({ type: 'Tgetattr', fid, requestMask: mask });
    return rest;
  }

  /** All entries of an open directory fid. */
  async readdirFid(fid: number): Promise<Dirent[]> {
    const out: Dirent[] = [];
    let offset = 0n;
    for (;;) {
      const r = await this.conn.rpc({
        type: 'Treaddir',
        fid,
        offset,
        count: this.conn.msize - IOHDRSZ,
      });
      const entries = decodeDirents(r.data);
      if (entries.length === 0) return out;
      out.push(...entries);
      offset = (entries[entries.length - 1] as Dirent).offset;
    }
  }

  // Path helpers.

  async stat(path: string): Promise<Stat> {
    const fid = await this.walk(path);
    try {
      return await this.getattr(fid);
    } finally {
      await this.clunk(fid);
    }
  }

  async readdir(path: string): Promise<Dirent[]> {
    const fid = await this.walk(path);
    try {
      await this.open(fid, OpenFlags.RDONLY | OpenFlags.DIRECTORY);
      return (await this.readdirFid(fid)).filter((e) => e.name !== '.' && e.name !== '..');
    } finally {
      await this.clunk(fid);
    }
  }

  async readFile(path: string): Promise<Buffer> {
    const fid = await this.walk(path);
    try {
      await this.open(fid, OpenFlags.RDONLY);
      const parts: Buffer[] = [];
      let offset = 0n;
      for (;;) {
        const r = await this.conn.rpc({
          type: 'Tread',
          fid,
          offset,
          count: this.conn.msize - IOHDRSZ,
        });
        if (r.data.length === 0) return Buffer.concat(parts);
        parts.push(r.data);
        offset += BigInt(r.data.length);
      }
    } finally {
      await this.clunk(fid);
    }
  }

  /** Creates (or truncates) a file and writes `data`. */
  async writeFile(path: string, data: Buffer | string, mode = 0o644): Promise<void> {
    const names = splitPath(path);
    const name = names.pop() as string;
    const fid = await this.walk(names);
    try {
      try {
        await this.conn.rpc({
          type: 'Tlcreate',
          fid,
          name,
          flags: OpenFlags.WRONLY | OpenFlags.TRUNC,
          mode,
          gid: 0,
        });
      } catch (err) {
        if (!(err instanceof RemoteError) || err.errnoName !== 'EEXIST') throw err;
        const existing = await this.walk([name], fid);
        await this.clunk(fid);
        await this.open(existing, OpenFlags.WRONLY | OpenFlags.TRUNC);
        await this.write(existing, 0n, Buffer.from(data));
        await this.clunk(existing);
        return;
      }
      await this.write(fid, 0n, Buffer.from(data));
    } finally {
      await this.clunk(fid).catch(() => undefined);
    }
  }

  async mkdir(path: string, mode = 0o755): Promise<Qid> {
    const names = splitPath(path);
    const name = names.pop() as string;
    const dfid = await this.walk(names);
    try {
      return (await this.conn.rpc({ type: 'Tmkdir', dfid, name, mode, gid: 0 })).qid;
    } finally {
      await this.clunk(dfid);
    }
  }

  async rename(from: string, to: string): Promise<void> {
    const a = splitPath(from);
    const b = splitPath(to);
    const oldname = a.pop() as string;
    const newname = b.pop() as string;
    const olddirfid = await this.walk(a);
    const newdirfid = await this.walk(b).catch(async (e) => {
      await this.clunk(olddirfid);
      throw e;
    });
    try {
      try {
        await this.conn.rpc({ type: 'Trenameat', olddirfid, oldname, newdirfid, newname });
      } catch (err) {
        // diod 1.0.24 has no Trenameat: fall back to Trename on a walked fid.
        if (!unsupported(err)) throw err;
        const fid = await this.walk([oldname], olddirfid);
        await this.conn
          .rpc({ type: 'Trename', fid, dfid: newdirfid, name: newname })
          .finally(() => this.clunk(fid));
      }
    } finally {
      await this.clunk(olddirfid);
      await this.clunk(newdirfid);
    }
  }

  /** Removes a file or an empty directory. */
  async remove(path: string): Promise<void> {
    const names = splitPath(path);
    const name = names.pop() as string;
    const dirfid = await this.walk(names);
    try {
      const fid = await this.walk([name], dirfid);
      const st = await this.getattr(fid, GetattrMask.MODE).finally(() => this.clunk(fid));
      const flags = (st.mode & 0o170000) === 0o040000 ? AT_REMOVEDIR : 0;
      try {
        await this.conn.rpc({ type: 'Tunlinkat', dirfid, name, flags });
      } catch (err) {
        // Servers without Tunlinkat (diod 1.0.24): Tremove clunks the fid whatever happens.
        if (!unsupported(err)) throw err;
        const victim = await this.walk([name], dirfid);
        try {
          await this.conn.rpc({ type: 'Tremove', fid: victim });
        } finally {
          this.conn.releaseFid(victim);
        }
      }
    } finally {
      await this.clunk(dirfid);
    }
  }

  close(): void {
    this.conn.close();
  }
}

/**
 * Connects to a 9P2000.L server (`tcp:HOST:PORT`, `unix:PATH`, or an open Duplex), negotiates
 * the version and attaches.
 */
export async function connect(
  address: string | Duplex,
  options: ClientOptions & AttachOptions = {},
): Promise<P9Client> {
  const stream = typeof address === 'string' ? await openStream(address) : address;
  const conn = new P9Connection(stream);
  try {
    await conn.version(options.msize ?? 1024 * 1024);
    const client = new P9Client(conn);
    await client.attach(options);
    return client;
  } catch (err) {
    conn.close();
    throw err;
  }
}
