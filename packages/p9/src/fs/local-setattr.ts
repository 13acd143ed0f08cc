import { ftruncateSync } from 'node:fs';
import { Mode } from '../protocol/constants.js';
import { fsError } from '../protocol/errno.js';
import type { Credentials, SetAttr } from '../server/filesystem.js';
import { mappedMode } from './local-attr.js';
import type { HostNode } from './local-export.js';
import { modeOf, ok, reopen, statFd } from './local-host.js';
import { readMappedMode, writeMapped } from './local-mapped.js';
import { checkSetid, privsToDrop } from './local-policy.js';

/**
 * Tsetattr on a LocalFs node: size, owner, mode and times, in that order, each one call on
 * the node's own descriptor (symlinks included: fchownat and utimensat act on an O_PATH
 * descriptor of the link itself). Under `mapped` the owner and mode go to the inode's
 * user.virtfs.* attributes; under `squash` owners do not change.
 */
export async function setLocalAttr(node: HostNode, c: SetAttr, cred?: Credentials): Promise<void> {
  const { host: h } = node.share;
  if (c.size !== undefined) {
    if (node.fmt !== Mode.IFREG || node.isSymlink) throw fsError(node.isDir ? 'EISDIR' : 'EINVAL');
    const fd = ok(reopen(h, node.fd, h.c.O_WRONLY));
    try {
      ftruncateSync(fd, Number(c.size));
    } finally {
      h.at.close(fd);
    }
    dropPrivs(node, cred);
  }
  // Owner before mode: a chown drops set-id bits, a mode sent with it is what the client wants.
  if (c.uid !== undefined || c.gid !== undefined) chown(node, c.uid, c.gid);
  if (c.mode !== undefined) chmod(node, c.mode);
  if (c.atime !== undefined || c.mtime !== undefined) {
    // Exact seconds and nanoseconds, as the client sent them (no float on the way).
    const part = (t: SetAttr['atime']): [bigint | number, number] =>
      t === undefined
        ? [0, h.c.UTIME_OMIT]
        : t === 'now'
          ? [0, h.c.UTIME_NOW]
          : [t.sec, Number(t.nsec)];
    const [as, an] = part(c.atime);
    const [ms, mn] = part(c.mtime);
    ok(h.at.utimensat(node.fd, '', as, an, ms, mn, 0));
  }
}

/** The mode the client sees: the host's, or under `mapped` the stored one. */
export function visibleMode(node: HostNode, fd = node.fd): number {
  const { host: h } = node.share;
  const mode = modeOf(statFd(h, fd));
  if (node.share.security !== 'mapped') return mode;
  return mappedMode(mode, readMappedMode(h, fd));
}

/**
 * Clears set-id bits after a write or truncate by `cred`, as the kernel does for a writer
 * without CAP_FSETID (see privsToDrop). `fd` is any descriptor of the file (the node's by
 * default, or an open file's).
 */
export function dropPrivs(node: HostNode, cred: Credentials | undefined, fd = node.fd): void {
  if (node.fmt !== Mode.IFREG || cred?.uid === 0) return;
  const mode = visibleMode(node, fd);
  const drop = privsToDrop(mode, cred);
  if (!drop) return;
  const { host: h } = node.share;
  if (node.share.security === 'mapped') writeMapped(h, fd, { mode: mode & ~drop });
  else ok(h.at.fchmodat(fd, '', mode & 0o7777 & ~drop, 0));
}

function chmod(node: HostNode, mode: number): void {
  if (node.isSymlink) throw fsError('EOPNOTSUPP');
  const { host: h } = node.share;
  const current = visibleMode(node);
  // Set-id bits the file already has may stay (chmod u+w of a set-id file); adding is refused.
  checkSetid(node.share, mode, current & 0o7777);
  if (node.share.security === 'mapped') {
    writeMapped(h, node.fd, { mode: (current & Mode.IFMT) | (mode & 0o7777) });
    // The host copy stays accessible to the (unprivileged) server.
    ok(h.at.fchmodat(node.fd, '', (mode & 0o777) | (node.isDir ? 0o700 : 0o600), 0));
    return;
  }
  ok(h.at.fchmodat(node.fd, '', mode & 0o7777, 0));
}

function chown(node: HostNode, uid: number | undefined, gid: number | undefined): void {
  const { host: h } = node.share;
  const empty = h.c.AT_EMPTY_PATH;
  if (node.share.security === 'passthrough') {
    // The kernel drops set-id bits of a non-directory on chown, as on any local filesystem.
    ok(h.at.fchownat(node.fd, '', uid ?? -1, gid ?? -1, empty));
    return;
  }
  if (node.share.security === 'mapped') {
    const mode = visibleMode(node);
    // chown drops set-id bits of a regular file whoever asks (notify_change's
    // ATTR_KILL_SUID/SGID), so a file cannot change hands and keep them.
    const drop = privsToDrop(mode, undefined);
    writeMapped(h, node.fd, { uid, gid, mode: drop ? mode & ~drop : undefined });
    // Writing the attributes changed the ctime, as a chown does on a local filesystem.
    return;
  }
  // squash: the owner does not change, but a chown still changes the file's ctime, as on a
  // local filesystem: chown(-1, -1) does just that.
  ok(h.at.fchownat(node.fd, '', -1, -1, empty));
}
