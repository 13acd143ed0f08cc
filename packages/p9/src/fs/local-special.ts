import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Mode } from '../protocol/constants.js';
import { fsError } from '../protocol/errno.js';
import { fdPath } from './proc-paths.js';

const run = promisify(execFile);

/**
 * Makes a FIFO or a device node `name` in the directory `dirFd` holds, with mknod(1): Node's
 * `fs` has no mknod(2). The child starts in that directory (libuv changes directory before
 * exec, while our descriptors are still open, so /proc/self/fd/<dirFd> is the directory we
 * hold) and gets `./name`: no path is resolved from anywhere else, and a name starting with
 * `-` is not an option. Devices need root; anything else is EPERM.
 */
export async function makeSpecialFile(
  dirFd: number,
  name: string,
  mode: number,
  rdev: bigint,
  isRoot: boolean,
): Promise<void> {
  const fmt = mode & Mode.IFMT;
  const kind = fmt === Mode.IFIFO ? 'p' : fmt === Mode.IFCHR ? 'c' : fmt === Mode.IFBLK ? 'b' : '';
  if (!kind || (kind !== 'p' && !isRoot)) throw fsError('EPERM');
  const args = ['-m', (mode & 0o7777).toString(8), `./${name}`, kind];
  if (kind !== 'p') args.push(String(Number(rdev >> 8n)), String(Number(rdev & 0xffn)));
  await run('mknod', args, { cwd: fdPath(dirFd) }).catch(() => {
    throw fsError('EPERM');
  });
}
