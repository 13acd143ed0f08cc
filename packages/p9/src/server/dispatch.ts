import { type FsError, fsError } from '../protocol/errno.js';
import type { MessageOf, ReplyBody, TMessage, TMessageKind } from '../protocol/messages.js';
import type { RequestContext } from './context.js';
import * as dir from './handlers-dir.js';
import * as fid from './handlers-fid.js';
import * as file from './handlers-file.js';

/**
 * A handler answers with its reply body, or with an `FsError` it returns instead of throwing
 * (Rlerror all the same): a hot path's expected failure, such as a walk to a missing name,
 * then costs no exception unwinding through the awaits above it.
 */
type Handler<K extends TMessageKind> = (
  ctx: RequestContext,
  m: MessageOf<K>,
) => Promise<ReplyBody<K> | FsError>;

/** Every request kind except Tversion and Tflush, which the session handles itself. */
export const handlers: { [K in Exclude<TMessageKind, 'Tversion' | 'Tflush'>]: Handler<K> } = {
  // No authentication: like diod without auth, Tauth answers ENOENT, which libnpclient
  // (diodls, diodcat) and the Linux client read as "attach without afid".
  Tauth: async () => {
    throw fsError('ENOENT', 'authentication is not required');
  },
  Tattach: fid.attach,
  Twalk: fid.walk,
  Tclunk: fid.clunk,
  Tremove: fid.remove,
  Tlopen: file.lopen,
  Tlcreate: file.lcreate,
  Tread: file.read,
  Twrite: file.write,
  Treaddir: file.readdir,
  Tgetattr: file.getattr,
  Tsetattr: file.setattr,
  Tstatfs: file.statfs,
  Tfsync: file.fsync,
  Treadlink: file.readlink,
  Tmkdir: dir.mkdir,
  Tsymlink: dir.symlink,
  Tmknod: dir.mknod,
  Tlink: dir.link,
  Trename: dir.rename,
  Trenameat: dir.renameat,
  Tunlinkat: dir.unlinkat,
  Tlock: dir.lock,
  Tgetlock: dir.getlock,
  Txattrwalk: dir.xattrwalk,
  Txattrcreate: dir.xattrcreate,
};

export function dispatch(ctx: RequestContext, m: TMessage): Promise<unknown> {
  const h = handlers[m.type as keyof typeof handlers] as unknown as (
    c: RequestContext,
    msg: TMessage,
  ) => Promise<unknown>;
  return h(ctx, m);
}
