import { GetattrMask, OpenFlags, SetattrMask } from '../protocol/constants.js';
import { encodeDirents } from '../protocol/dirent.js';
import { fsError } from '../protocol/errno.js';
import type { MessageOf, ReplyBody } from '../protocol/messages.js';
import type { RequestContext } from './context.js';
import type { Credentials, FsNode, FsOpenFile, SetAttr } from './filesystem.js';
import { fidOf, unopenedFid } from './handlers-fid.js';
import { checkName } from './names.js';

/** Rread/Rreaddir header: size[4] type[1] tag[2] count[4]. */
const READ_OVERHEAD = 11;

const WRITE_FLAGS = OpenFlags.WRONLY | OpenFlags.RDWR | OpenFlags.TRUNC | OpenFlags.APPEND;

function mutating(ctx: RequestContext): void {
  if (ctx.readonly) throw fsError('EROFS');
}

function credFor(ctx: RequestContext, fidCred: Credentials, gid: number): Credentials {
  void ctx;
  return { uid: fidCred.uid, gid };
}

export async function lopen(
  ctx: RequestContext,
  m: MessageOf<'Tlopen'>,
): Promise<ReplyBody<'Tlopen'>> {
  const f = unopenedFid(ctx, m.fid);
  const accmode = m.flags & OpenFlags.ACCMODE;
  if (ctx.readonly && (accmode !== OpenFlags.RDONLY || m.flags & WRITE_FLAGS))
    throw fsError('EROFS');
  const flags = m.flags & ~(OpenFlags.CREAT | OpenFlags.EXCL | OpenFlags.NOCTTY);
  // The open file will hold a descriptor: its budget unit is taken first.
  ctx.fids.reserveOpen();
  let file: FsOpenFile;
  try {
    file = await f.node.open(flags, f.cred);
  } catch (err) {
    ctx.fids.releaseOpen();
    throw err;
  }
  if (f.open || ctx.fids.get(m.fid) !== f) {
    ctx.fids.releaseOpen();
    await file.close();
    throw fsError('EBADF', `fid ${m.fid} changed while opening`);
  }
  f.open = file;
  f.openFlags = flags;
  return { qid: f.node.qid, iounit: 0 };
}

export async function lcreate(
  ctx: RequestContext,
  m: MessageOf<'Tlcreate'>,
): Promise<ReplyBody<'Tlcreate'>> {
  mutating(ctx);
  const f = unopenedFid(ctx, m.fid);
  checkName(m.name);
  const flags = m.flags & ~(OpenFlags.CREAT | OpenFlags.EXCL | OpenFlags.NOCTTY);
  ctx.fids.reserveOpen();
  let made: { node: FsNode; file: FsOpenFile };
  try {
    made = await f.node.create(m.name, flags, m.mode & 0o7777, credFor(ctx, f.cred, m.gid));
  } catch (err) {
    ctx.fids.releaseOpen();
    throw err;
  }
  const { node, file } = made;
  if (f.open || ctx.fids.get(m.fid) !== f) {
    // Clunked while creating: the file stays made, the fid is gone.
    ctx.fids.releaseOpen();
    await file.close();
    await node.release();
    throw fsError('EBADF', `fid ${m.fid} changed while creating`);
  }
  // The fid now stands for the new, open file; the directory node is released.
  const dir = f.node;
  f.node = node;
  f.open = file;
  f.openFlags = flags;
  try {
    await dir.release();
  } catch {
    // The directory node is the backend's to clean up; the create stands.
  }
  return { qid: node.qid, iounit: 0 };
}

export async function read(
  ctx: RequestContext,
  m: MessageOf<'Tread'>,
): Promise<ReplyBody<'Tread'>> {
  const f = fidOf(ctx, m.fid);
  const count = Math.min(m.count, ctx.msize - READ_OVERHEAD);
  if (f.xattrRead) {
    const start = m.offset > BigInt(f.xattrRead.length) ? f.xattrRead.length : Number(m.offset);
    return { data: f.xattrRead.subarray(start, start + count) };
  }
  if (!f.open) throw fsError('EBADF', `fid ${m.fid} is not open`);
  if (
    (f.openFlags ?? 0) & OpenFlags.ACCMODE &&
    (f.openFlags! & OpenFlags.ACCMODE) === OpenFlags.WRONLY
  ) {
    throw fsError('EBADF', `fid ${m.fid} is open for writing only`);
  }
  const data = await f.open.read(m.offset, count, ctx.signal);
  return { data: data.length > count ? data.subarray(0, count) : data };
}

export async function write(
  ctx: RequestContext,
  m: MessageOf<'Twrite'>,
): Promise<ReplyBody<'Twrite'>> {
  const f = fidOf(ctx, m.fid);
  const x = f.xattrWrite;
  if (x) {
    if (m.offset !== BigInt(x.written) || x.written + m.data.length > x.size) {
      throw fsError('EINVAL', 'xattr writes must be sequential and within the announced size');
    }
    x.chunks.push(Buffer.from(m.data)); // kept until Tclunk: not a view into the frame
    x.written += m.data.length;
    return { count: m.data.length };
  }
  if (!f.open) throw fsError('EBADF', `fid ${m.fid} is not open`);
  mutating(ctx);
  if (((f.openFlags ?? 0) & OpenFlags.ACCMODE) === OpenFlags.RDONLY) {
    throw fsError('EBADF', `fid ${m.fid} is open for reading only`);
  }
  return { count: await f.open.write(m.offset, m.data, ctx.signal) };
}

export async function readdir(
  ctx: RequestContext,
  m: MessageOf<'Treaddir'>,
): Promise<ReplyBody<'Treaddir'>> {
  const f = fidOf(ctx, m.fid);
  if (!f.open) throw fsError('EBADF', `fid ${m.fid} is not open`);
  const count = Math.min(m.count, ctx.msize - READ_OVERHEAD);
  const entries = await f.open.readdir(m.offset, count);
  return { data: encodeDirents(entries, count).data };
}

export async function getattr(
  ctx: RequestContext,
  m: MessageOf<'Tgetattr'>,
): Promise<ReplyBody<'Tgetattr'>> {
  const f = fidOf(ctx, m.fid);
  const a = f.open ? await f.open.getattr() : await f.node.getattr();
  return {
    valid: GetattrMask.BASIC | GetattrMask.BTIME | GetattrMask.GEN | GetattrMask.DATA_VERSION,
    qid: a.qid,
    mode: a.mode,
    uid: a.uid,
    gid: a.gid,
    nlink: a.nlink,
    rdev: a.rdev,
    size: a.size,
    blksize: a.blksize,
    blocks: a.blocks,
    atimeSec: a.atime.sec,
    atimeNsec: a.atime.nsec,
    mtimeSec: a.mtime.sec,
    mtimeNsec: a.mtime.nsec,
    ctimeSec: a.ctime.sec,
    ctimeNsec: a.ctime.nsec,
    btimeSec: a.btime.sec,
    btimeNsec: a.btime.nsec,
    gen: a.gen,
    dataVersion: a.dataVersion,
  };
}

export async function setattr(
  ctx: RequestContext,
  m: MessageOf<'Tsetattr'>,
): Promise<ReplyBody<'Tsetattr'>> {
  mutating(ctx);
  const f = fidOf(ctx, m.fid);
  const c: SetAttr = {};
  if (m.valid & SetattrMask.MODE) c.mode = m.mode & 0o7777;
  if (m.valid & SetattrMask.UID) c.uid = m.uid;
  if (m.valid & SetattrMask.GID) c.gid = m.gid;
  if (m.valid & SetattrMask.SIZE) c.size = m.size;
  if (m.valid & SetattrMask.ATIME) {
    c.atime = m.valid & SetattrMask.ATIME_SET ? { sec: m.atimeSec, nsec: m.atimeNsec } : 'now';
  }
  if (m.valid & SetattrMask.MTIME) {
    c.mtime = m.valid & SetattrMask.MTIME_SET ? { sec: m.mtimeSec, nsec: m.mtimeNsec } : 'now';
  }
  if (m.valid & SetattrMask.CTIME) c.ctime = true;
  if (f.open) await f.open.setattr(c, f.cred);
  else await f.node.setattr(c, f.cred);
  return {};
}

export async function statfs(
  ctx: RequestContext,
  m: MessageOf<'Tstatfs'>,
): Promise<ReplyBody<'Tstatfs'>> {
  return fidOf(ctx, m.fid).node.statfs();
}

export async function fsync(
  ctx: RequestContext,
  m: MessageOf<'Tfsync'>,
): Promise<ReplyBody<'Tfsync'>> {
  const f = fidOf(ctx, m.fid);
  if (!f.open) throw fsError('EBADF', `fid ${m.fid} is not open`);
  await f.open.fsync(m.datasync !== 0);
  return {};
}

export async function readlink(
  ctx: RequestContext,
  m: MessageOf<'Treadlink'>,
): Promise<ReplyBody<'Treadlink'>> {
  return { target: await fidOf(ctx, m.fid).node.readlink() };
}
