import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, linkSync, openSync } from 'node:fs';
import net from 'node:net';
import { promisify } from 'node:util';
import { Mode } from '../protocol/constants.js';
import { fsError } from '../protocol/errno.js';
import { entryPath, fdPath, O_CLOEXEC, O_NOFOLLOW, O_PATH } from './proc-paths.js';

const run = promisify(execFile);

/**
 * Makes a FIFO or a device node `name` in the directory `dirFd` holds, with mknod(1): Node's
 * `fs` has no mknod(2). The child starts in that directory (libuv changes directory before
 * exec, while our descriptors are still open, so /proc/self/fd/<dirFd> is the directory we
 * hold) and gets `./name`: no path is resolved from anywhere else, and a name starting with
 * `-` is not an option. Devices need root; anything else is EPERM. Sockets go to
 * `makeSocketNode` (mknod(1) cannot make them).
 */
export async function makeSpecialFile(
  dirFd: number,
  name: string,
  mode: number,
  rdev: bigint,
  isRoot: boolean,
): Promise<void> {
  const fmt = mode & Mode.IFMT;
  if (fmt === Mode.IFSOCK) return makeSocketNode(dirFd, name, mode);
  const kind = fmt === Mode.IFIFO ? 'p' : fmt === Mode.IFCHR ? 'c' : fmt === Mode.IFBLK ? 'b' : '';
  if (!kind || (kind !== 'p' && !isRoot)) throw fsError('EPERM');
  const args = ['-m', (mode & 0o7777).toString(8), `./${name}`, kind];
  if (kind !== 'p') args.push(String(Number(rdev >> 8n)), String(Number(rdev & 0xffn)));
  await run('mknod', args, { cwd: fdPath(dirFd) }).catch(() => {
    throw fsError('EPERM');
  });
}

/**
 * Makes a Unix socket node `name` (what `bind` in a guest asks for; no privilege needed).
 * Node has no mknod, but binding a listening socket makes the node: it is bound under a short
 * temporary name through `/proc/self/fd/<dirFd>/` (a socket address holds at most 107 bytes,
 * a name up to 255), hard-linked to `name` (EEXIST if taken, like mknod), and closing the
 * listener unlinks the temporary name (libuv does on close), leaving the node under `name`.
 */
export async function makeSocketNode(dirFd: number, name: string, mode: number): Promise<void> {
  const temp = `.p9-sock-${randomBytes(6).toString('hex')}`;
  const bound = entryPath(dirFd, temp);
  const server = net.createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(bound, resolve);
    });
    linkSync(bound, entryPath(dirFd, name));
  } finally {
    if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  // chmod through a descriptor of the entry: a symlink swapped in meanwhile is not followed.
  const fd = openSync(entryPath(dirFd, name), O_PATH | O_NOFOLLOW | O_CLOEXEC);
  try {
    chmodSync(fdPath(fd), mode & 0o7777);
  } finally {
    closeSync(fd);
  }
}
