import { makedev } from '../fs/mode.js';
import { AT_REMOVEDIR, LockStatus, LockType, XattrFlags } from '../protocol/constants.js';
import { fsError } from '../protocol/errno.js';
import type { MessageOf, ReplyBody } from '../protocol/messages.js';
import type { RequestContext } from './context.js';
import { fidOf, installFid, newFidSlot, unopenedFid } from './handlers-fid.js';
import { lockRange } from './locks.js';
import { checkName, xattrWritable } from './names.js';

function mutating(ctx: RequestContext): void {
  if (ctx.readonly) throw fsError('EROFS');
}

export async function mkdir(
  ctx: RequestContext,
  m: MessageOf<'Tmkdir'>,
): Promise<ReplyBody<'Tmkdir'>> {
  mutating(ctx);
  const d = fidOf(ctx, m.dfid);
  checkName(m.name);
  return { qid: await d.node.mkdir(m.name, m.mode & 0o7777, { uid: d.cred.uid, gid: m.gid }) };
}

export async function symlink(
  ctx: RequestContext,
  m: MessageOf<'Tsymlink'>,
): Promise<ReplyBody<'Tsymlink'>> {
  mutating(ctx);
  const d = fidOf(ctx, m.fid);
  checkName(m.name);
  if (m.target === '' || m.target.includes('\0')) throw fsError('EINVAL', 'invalid symlink target');
  return { qid: await d.node.symlink(m.name, m.target, { uid: d.cred.uid, gid: m.gid }) };
}

export async function mknod(
  ctx: RequestContext,
  m: MessageOf<'Tmknod'>,
): Promise<ReplyBody<'Tmknod'>> {
  mutating(ctx);
  const d = fidOf(ctx, m.dfid);
  checkName(m.name);
  // glibc's makedev layout (Linux st_rdev), the one Rgetattr answers with.
  const rdev = makedev(m.major, m.minor);
  return { qid: await d.node.mknod(m.name, m.mode, rdev, { uid: d.cred.uid, gid: m.gid }) };
}

export async function link(
  ctx: RequestContext,
  m: MessageOf<'Tlink'>,
): Promise<ReplyBody<'Tlink'>> {
  mutating(ctx);
  const d = fidOf(ctx, m.dfid);
  const target = fidOf(ctx, m.fid);
  checkName(m.name);
  await d.node.link(m.name, target.node);
  return {};
}

export async function rename(
  ctx: RequestContext,
  m: MessageOf<'Trename'>,
): Promise<ReplyBody<'Trename'>> {
  mutating(ctx);
  const f = fidOf(ctx, m.fid);
  const d = fidOf(ctx, m.dfid);
  checkName(m.name);
  await f.node.rename(d.node, m.name);
  return {};
}

export async function renameat(
  ctx: RequestContext,
  m: MessageOf<'Trenameat'>,
): Promise<ReplyBody<'Trenameat'>> {
  mutating(ctx);
  const from = fidOf(ctx, m.olddirfid);
  const to = fidOf(ctx, m.newdirfid);
  checkName(m.oldname);
  checkName(m.newname);
  await from.node.renameat(m.oldname, to.node, m.newname);
  return {};
}

export async function unlinkat(
  ctx: RequestContext,
  m: MessageOf<'Tunlinkat'>,
): Promise<ReplyBody<'Tunlinkat'>> {
  mutating(ctx);
  const d = fidOf(ctx, m.dirfid);
  checkName(m.name);
  if (m.flags & ~AT_REMOVEDIR) throw fsError('EINVAL', `unknown unlinkat flags ${m.flags}`);
  await d.node.unlinkat(m.name, m.flags);
  return {};
}

function lockFile(ctx: RequestContext, fid: number): string {
  const f = fidOf(ctx, fid);
  return `${f.node.qid.path}`;
}

export async function lock(
  ctx: RequestContext,
  m: MessageOf<'Tlock'>,
): Promise<ReplyBody<'Tlock'>> {
  const f = fidOf(ctx, m.fid);
  if (!f.open) throw fsError('EBADF', `fid ${m.fid} is not open`);
  if (m.lockType > LockType.UNLCK) throw fsError('EINVAL', `lock type ${m.lockType}`);
  const { start, end } = lockRange(m.start, m.length);
  const owner = `${ctx.connectionId}/${m.clientId}/${m.procId}`;
  const ok = ctx.locks.set(lockFile(ctx, m.fid), {
    owner,
    type: m.lockType,
    start,
    end,
    procId: m.procId,
    clientId: m.clientId,
  });
  // Blocking requests get BLOCKED too: the Linux client retries them itself, so the server
  // never parks a request (and Tflush has nothing to wait for).
  return { status: ok ? LockStatus.SUCCESS : LockStatus.BLOCKED };
}

export async function getlock(
  ctx: RequestContext,
  m: MessageOf<'Tgetlock'>,
): Promise<ReplyBody<'Tgetlock'>> {
  fidOf(ctx, m.fid);
  const { start, end } = lockRange(m.start, m.length);
  const owner = `${ctx.connectionId}/${m.clientId}/${m.procId}`;
  // Linux (through 6.x) sends Tgetlock with type UNLCK whatever F_GETLK asked: answer it as
  // a write-lock query, so any lock of another owner is reported instead of none.
  const type = m.lockType === LockType.UNLCK ? LockType.WRLCK : m.lockType;
  const c = ctx.locks.conflict(lockFile(ctx, m.fid), owner, type, start, end);
  if (!c)
    return {
      lockType: LockType.UNLCK,
      start: m.start,
      length: m.length,
      procId: m.procId,
      clientId: m.clientId,
    };
  const length = c.end === (1n << 64n) - 1n ? 0n : c.end - c.start + 1n;
  return { lockType: c.type, start: c.start, length, procId: c.procId, clientId: c.clientId };
}

export async function xattrwalk(
  ctx: RequestContext,
  m: MessageOf<'Txattrwalk'>,
): Promise<ReplyBody<'Txattrwalk'>> {
  const f = unopenedFid(ctx, m.fid);
  newFidSlot(ctx, m.newfid);
  let value: Buffer;
  if (m.name === '') {
    const names = await f.node.listxattr();
    value = Buffer.from(names.map((n) => `${n}\0`).join(''));
  } else {
    value = await f.node.getxattr(m.name);
  }
  const node = await f.node.clone();
  await installFid(ctx, m.newfid, { node, cred: f.cred, xattrRead: value });
  return { size: BigInt(value.length) };
}

export async function xattrcreate(
  ctx: RequestContext,
  m: MessageOf<'Txattrcreate'>,
): Promise<ReplyBody<'Txattrcreate'>> {
  mutating(ctx);
  const f = unopenedFid(ctx, m.fid);
  if (!xattrWritable(m.name))
    throw fsError('EOPNOTSUPP', `xattr namespace of ${m.name} is not writable`);
  if (m.attrSize > BigInt(ctx.maxXattrSize)) throw fsError('E2BIG');
  if (m.flags & ~(XattrFlags.CREATE | XattrFlags.REPLACE)) throw fsError('EINVAL');
  f.xattrWrite = { name: m.name, size: Number(m.attrSize), flags: m.flags, chunks: [], written: 0 };
  return {};
}
