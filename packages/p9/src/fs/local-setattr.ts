import fs from 'node:fs';
import { Mode } from '../protocol/constants.js';
import { fsError } from '../protocol/errno.js';
import type { SetAttr } from '../server/filesystem.js';
import { fstatBig } from './local-io.js';
import type { LocalNode } from './local-node.js';
import { fdPath } from './proc-paths.js';
import { timespecToSeconds } from './time.js';

/**
 * Tsetattr on a LocalFs node: size, mode, owner and times, in that order, through the node's
 * own descriptor (symlinks through their checked directory entry, since an O_PATH descriptor
 * of a symlink cannot be followed). Under `mapped` the owner and mode go to the metadata store;
 * under `squash` owners do not change.
 */
export async function setLocalAttr(node: LocalNode, c: SetAttr): Promise<void> {
  const self = fdPath(node.fd);
  if (c.size !== undefined) {
    if (node.fmt !== Mode.IFREG) throw fsError(node.isDir ? 'EISDIR' : 'EINVAL');
    fs.truncateSync(self, Number(c.size));
  }
  if (c.mode !== undefined) chmod(node, c.mode);
  if (c.uid !== undefined || c.gid !== undefined) await chown(node, c.uid, c.gid);
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

function chmod(node: LocalNode, mode: number): void {
  if (node.isSymlink) throw fsError('EOPNOTSUPP');
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
  if (node.fs.security === 'squash') return;
  if (node.fs.security === 'mapped') {
    node.fs.metadata.update(node.key, (m) => {
      if (uid !== undefined) m.uid = uid;
      if (gid !== undefined) m.gid = gid;
    });
    return;
  }
  const u = uid ?? -1;
  const g = gid ?? -1;
  if (node.isSymlink) fs.lchownSync(await node.entry(), u, g);
  else fs.chownSync(fdPath(node.fd), u, g);
}
