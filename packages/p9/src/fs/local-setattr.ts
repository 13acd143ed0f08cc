import fs from 'node:fs';
import { Mode } from '../protocol/constants.js';
import { fsError } from '../protocol/errno.js';
import type { Credentials, SetAttr } from '../server/filesystem.js';
import { attrOf } from './local-attr.js';
import { fstatBig } from './local-io.js';
import type { LocalNode } from './local-node.js';
import { checkSetid, privsToDrop } from './local-policy.js';
import { fdPath } from './proc-paths.js';
import { timespecToSeconds } from './time.js';

/**
 * Tsetattr on a LocalFs node: size, owner, mode and times, in that order, through the node's
 * own descriptor (symlinks through their checked directory entry, since an O_PATH descriptor
 * of a symlink cannot be followed). Under `mapped` the owner and mode go to the metadata store;
 * under `squash` owners do not change.
 */
export async function setLocalAttr(node: LocalNode, c: SetAttr, cred?: Credentials): Promise<void> {
  const self = fdPath(node.fd);
  if (c.size !== undefined) {
    if (node.fmt !== Mode.IFREG) throw fsError(node.isDir ? 'EISDIR' : 'EINVAL');
    fs.truncateSync(self, Number(c.size));
    dropPrivs(node, cred);
  }
  // Owner before mode: a chown drops set-id bits, a mode sent with it is what the client wants.
  if (c.uid !== undefined || c.gid !== undefined) await chown(node, c.uid, c.gid);
  if (c.mode !== undefined) chmod(node, c.mode);
  if (c.atime !== undefined || c.mtime !== undefined) {
    const st = fstatBig(node.fd);
    const at = secondsFor(c.atime, st.atimeMs);
    const mt = secondsFor(c.mtime, st.mtimeMs);
    if (node.isSymlink) fs.lutimesSync(await node.entry(), at, mt);
    else fs.utimesSync(self, at, mt);
  }
}

/** A time to set, in seconds: unchanged (the current value), now, or the given timespec. */
function secondsFor(t: SetAttr['atime'], currentMs: bigint): number {
  if (t === undefined) return Number(currentMs) / 1000;
  return t === 'now' ? Date.now() / 1000 : timespecToSeconds(t);
}

/** The mode the client sees: the host's, or the `mapped` metadata's. */
function visibleMode(node: LocalNode, fd: number): number {
  const st = fstatBig(fd);
  if (node.fs.security !== 'mapped') return Number(st.mode);
  return attrOf(st, node.fs, node.fs.metadata.get(node.key)).mode;
}

/**
 * Clears set-id bits after a write or truncate by `cred`, as the kernel does for a writer
 * without CAP_FSETID (see privsToDrop). `fd` is any descriptor of the file (the node's by
 * default, or an open file's).
 */
export function dropPrivs(node: LocalNode, cred: Credentials | undefined, fd = node.fd): void {
  if (node.fmt !== Mode.IFREG || cred?.uid === 0) return;
  const mode = visibleMode(node, fd);
  const drop = privsToDrop(mode, cred);
  if (!drop) return;
  if (node.fs.security === 'mapped') {
    node.fs.metadata.update(node.key, (m) => {
      m.mode = mode & ~drop;
    });
    return;
  }
  fs.chmodSync(fdPath(fd), mode & 0o7777 & ~drop);
}

function chmod(node: LocalNode, mode: number): void {
  if (node.isSymlink) throw fsError('EOPNOTSUPP');
  // Set-id bits the file already has may stay (chmod u+w of a set-id file); adding is refused.
  checkSetid(node.fs, mode, visibleMode(node, node.fd) & 0o7777);
  if (node.fs.security === 'mapped') {
    node.fs.metadata.update(node.key, (m) => {
      m.mode = (m.mode !== undefined ? m.mode & Mode.IFMT : node.fmt) | (mode & 0o7777);
    });
    // The host copy stays accessible to the (unprivileged) server.
    fs.chmodSync(fdPath(node.fd), (mode & 0o777) | (node.isDir ? 0o700 : 0o600));
    return;
  }
  fs.chmodSync(fdPath(node.fd), mode & 0o7777);
}

async function chown(node: LocalNode, uid: number | undefined, gid: number | undefined) {
  if (node.fs.security === 'passthrough') {
    const u = uid ?? -1;
    const g = gid ?? -1;
    if (node.isSymlink) fs.lchownSync(await node.entry(), u, g);
    else fs.chownSync(fdPath(node.fd), u, g);
    return;
  }
  if (node.fs.security === 'mapped') {
    const mode = visibleMode(node, node.fd);
    node.fs.metadata.update(node.key, (m) => {
      if (uid !== undefined) m.uid = uid;
      if (gid !== undefined) m.gid = gid;
      // chown drops set-id bits of a regular file whoever asks (notify_change's
      // ATTR_KILL_SUID/SGID), so a file cannot change hands and keep them.
      const drop = privsToDrop(mode, undefined);
      if (drop) m.mode = mode & ~drop;
    });
  }
  // The owner lives elsewhere (mapped) or does not change (squash), but a chown still
  // changes the file's ctime, as on a local filesystem: chown(-1, -1) does just that.
  if (node.isSymlink) fs.lchownSync(await node.entry(), -1, -1);
  else fs.chownSync(fdPath(node.fd), -1, -1);
}
