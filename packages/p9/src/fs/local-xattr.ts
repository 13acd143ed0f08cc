import { fsError } from '../protocol/errno.js';
import type { LocalExport } from './local-export.js';
import { hostError, ok } from './local-host.js';
import { VIRTFS_PREFIX } from './local-mapped.js';

const ERANGE = -34;

/**
 * Which host attributes a client may read: `user.*` (the host's own, in every model) and,
 * outside `mapped`, the POSIX ACLs. Never `user.virtfs.*` (the `mapped` owners, which a
 * client must not forge or see, as in QEMU), nor `trusted.*`/`security.*`, which belong to
 * the host (a root server could read them).
 */
function readable(exp: LocalExport, name: string): boolean {
  if (name.startsWith(VIRTFS_PREFIX)) return false;
  if (name.startsWith('user.')) return true;
  return exp.security !== 'mapped' && name.startsWith('system.posix_acl_');
}

/** Extended attributes of the object `fd` holds (O_PATH descriptors included), on the host. */
export function getXattr(exp: LocalExport, fd: number, name: string): Buffer {
  if (!readable(exp, name)) throw fsError('ENODATA');
  const { at } = exp.host;
  for (;;) {
    const size = ok(at.fgetxattr(fd, name, null));
    const value = Buffer.alloc(size);
    const got = at.fgetxattr(fd, name, value);
    if (got === ERANGE) continue; // it grew meanwhile
    return value.subarray(0, ok(got));
  }
}

export function listXattrs(exp: LocalExport, fd: number): string[] {
  const { at } = exp.host;
  for (;;) {
    const size = ok(at.flistxattr(fd, null));
    if (size === 0) return [];
    const names = Buffer.alloc(size);
    const got = at.flistxattr(fd, names);
    if (got === ERANGE) continue;
    return names
      .subarray(0, ok(got))
      .toString('utf8')
      .split('\0')
      .filter((n) => n !== '' && readable(exp, n));
  }
}

/** The server let only `user.*` through; `user.virtfs.*` is refused as QEMU refuses it. */
export function setXattr(exp: LocalExport, fd: number, name: string, value: Buffer, flags: number) {
  if (name.startsWith(VIRTFS_PREFIX))
    throw fsError('EACCES', `${name} is reserved for mapped owners`);
  const r = exp.host.at.fsetxattr(fd, name, value, flags);
  if (r < 0) throw hostError(r);
}

export function removeXattr(exp: LocalExport, fd: number, name: string): void {
  if (name.startsWith(VIRTFS_PREFIX))
    throw fsError('EACCES', `${name} is reserved for mapped owners`);
  ok(exp.host.at.fremovexattr(fd, name));
}
