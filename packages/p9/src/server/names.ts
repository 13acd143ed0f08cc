import { fsError } from '../protocol/errno.js';

/** Refuses names that are empty, `.`/`..`, contain `/` or NUL, or are longer than 255 bytes. */
export function checkName(name: string): void {
  if (name === '' || name === '.' || name === '..')
    throw fsError('EINVAL', `invalid name ${JSON.stringify(name)}`);
  if (name.includes('/') || name.includes('\0'))
    throw fsError('EINVAL', `invalid name ${JSON.stringify(name)}`);
  if (Buffer.byteLength(name) > 255) throw fsError('ENAMETOOLONG');
}

/** Walk names: like checkName, but `..` is allowed (the backend clamps it at the root). */
export function checkWalkName(name: string): void {
  if (name === '..' || name === '.') return;
  checkName(name);
}

/** xattr namespaces a client may use: `user.*` and reads of `system.posix_acl_*`. */
export function xattrWritable(name: string): boolean {
  return name.startsWith('user.') && name.length > 5;
}
