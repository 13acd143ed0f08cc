import { NOFID, NONUNAME, VERSION_9P2000L } from '../protocol/constants.js';
import { FsError, fsError } from '../protocol/errno.js';
import type { MessageOf, ReplyBody } from '../protocol/messages.js';
import type { Qid } from '../protocol/types.js';
import type { RequestContext } from './context.js';
import { type Fid, releaseFid } from './fids.js';
import type { FsNode } from './filesystem.js';
import { checkWalkName } from './names.js';

/** The fid entry or EBADF. */
export function fidOf(ctx: RequestContext, fid: number): Fid {
  const f = ctx.fids.get(fid);
  if (!f) throw fsError('EBADF', `unknown fid ${fid}`);
  return f;
}

/** A fid that is not open (walk, create and friends need one). */
export function unopenedFid(ctx: RequestContext, fid: number): Fid {
  const f = fidOf(ctx, fid);
  if (f.open || f.xattrRead || f.xattrWrite) throw fsError('EBADF', `fid ${fid} is open`);
  return f;
}

/** Checks that `fid` can be made before the backend does any work for it. */
export function newFidSlot(ctx: RequestContext, fid: number): void {
  if (fid === NOFID) throw fsError('EBADF', 'NOFID cannot name a file');
  if (ctx.fids.has(fid)) throw fsError('EBADF', `fid ${fid} is in use`);
  ctx.fids.checkRoom();
}

/**
 * Installs a new fid after the backend made its node; if the number was taken meanwhile or
 * the connection has no room left (EMFILE/ENFILE), the node is released and the error thrown.
 */
export async function installFid(ctx: RequestContext, fid: number, entry: Fid): Promise<void> {
  try {
    ctx.fids.set(fid, entry);
  } catch (err) {
    await releaseFid(entry);
    throw err;
  }
}

export async function version(
  ctx: RequestContext,
  m: MessageOf<'Tversion'>,
  maxMsize: number,
): Promise<ReplyBody<'Tversion'>> {
  const msize = Math.min(m.msize, maxMsize);
  // A version string may carry a suffix after the dialect ("9P2000.L.x"); anything else is
  // answered with "unknown" as the protocol says.
  const ok = m.version === VERSION_9P2000L || m.version.startsWith(`${VERSION_9P2000L}.`);
  await ctx.reset(msize);
  return { msize, version: ok ? VERSION_9P2000L : 'unknown' };
}

export async function attach(
  ctx: RequestContext,
  m: MessageOf<'Tattach'>,
): Promise<ReplyBody<'Tattach'>> {
  if (m.afid !== NOFID)
    throw fsError('EINVAL', 'authentication is not supported (afid must be NOFID)');
  newFidSlot(ctx, m.fid);
  const uid = m.nUname === NONUNAME ? (m.uname === 'root' || m.uname === '' ? 0 : 65534) : m.nUname;
  const cred = { uid, gid: uid };
  const node = await ctx.fs.attach(m.aname, cred);
  await installFid(ctx, m.fid, { node, cred });
  return { qid: node.qid };
}

/**
 * Twalk: clone then step through each name. A failure on the first name is an error; a later
 * failure answers the qids walked so far and leaves newfid unset (the protocol's partial walk).
 */
export async function walk(
  ctx: RequestContext,
  m: MessageOf<'Twalk'>,
): Promise<ReplyBody<'Twalk'> | FsError> {
  // The protocol says the fid must not be open, but diod allows it and diodls -l relies on
  // it; the walk only uses the node, so an open fid is harmless here.
  const from = fidOf(ctx, m.fid);
  if (from.xattrRead || from.xattrWrite) throw fsError('EBADF', `fid ${m.fid} is an xattr fid`);
  if (m.newfid === m.fid && from.open) throw fsError('EBADF', `fid ${m.fid} is open`);
  if (m.newfid !== m.fid) newFidSlot(ctx, m.newfid);
  for (const name of m.names) checkWalkName(name);
  // Each step yields a new node; the first step starts from the fid's node without cloning
  // it (one open per name instead of two).
  let node: FsNode | undefined;
  const qids: Qid[] = [];
  try {
    for (const name of m.names) {
      if (ctx.aborted) throw fsError('EINTR', 'walk flushed');
      const cur: FsNode = node ?? from.node;
      let next: FsNode | FsError;
      try {
        // "." stays put (diodls walks it); ".." is clamped by the backend.
        if (name === '.') next = await cur.clone();
        else next = cur.tryWalk ? cur.tryWalk(name) : await cur.walk(name);
      } catch (err) {
        if (qids.length === 0) throw err;
        if (node) await node.release();
        return { qids };
      }
      if (next instanceof FsError) {
        // A failed first step is the walk's error; a later one ends a partial walk.
        if (qids.length === 0) return next;
        if (node) await node.release();
        return { qids };
      }
      if (node) await node.release();
      node = next;
      qids.push(next.qid);
    }
    node ??= await from.node.clone();
  } catch (err) {
    // (No await when nothing was walked: the common failure, a missing first name.)
    if (node) await node.release().catch(() => undefined);
    throw err;
  }
  if (m.newfid === m.fid) {
    // The fid now names the walked node: same slot, same budget unit.
    ctx.fids.set(m.fid, { node, cred: from.cred }, true);
    await releaseFid(from);
  } else await installFid(ctx, m.newfid, { node, cred: from.cred });
  return { qids };
}

export async function clunk(
  ctx: RequestContext,
  m: MessageOf<'Tclunk'>,
): Promise<ReplyBody<'Tclunk'>> {
  const f = ctx.fids.take(m.fid);
  if (!f) throw fsError('EBADF', `unknown fid ${m.fid}`);
  try {
    const x = f.xattrWrite;
    if (x) {
      if (x.written !== x.size) throw fsError('EINVAL', 'xattr value shorter than announced');
      const value = Buffer.concat(x.chunks);
      // Linux sends removexattr as an empty Txattrcreate (like QEMU, size 0 means remove).
      if (x.size === 0) await f.node.removexattr(x.name);
      else await f.node.setxattr(x.name, value, x.flags);
    }
  } finally {
    await releaseFid(f);
  }
  return {};
}

export async function remove(
  ctx: RequestContext,
  m: MessageOf<'Tremove'>,
): Promise<ReplyBody<'Tremove'>> {
  const f = ctx.fids.take(m.fid);
  if (!f) throw fsError('EBADF', `unknown fid ${m.fid}`);
  try {
    if (ctx.readonly) throw fsError('EROFS');
    await f.node.remove();
  } finally {
    await releaseFid(f);
  }
  return {};
}
