import { Mode } from '../protocol/constants.js';
import { fsError } from '../protocol/errno.js';
import type { Credentials } from '../server/filesystem.js';

/** What a LocalFs export lets its clients do beyond plain files (see LocalFsOptions). */
export interface SpecialPolicy {
  allowDevices: boolean;
  allowSetid: boolean;
}

const SETID = Mode.ISUID | Mode.ISGID;

export function isDevice(mode: number): boolean {
  const fmt = mode & Mode.IFMT;
  return fmt === Mode.IFCHR || fmt === Mode.IFBLK;
}

/**
 * Refuses (EPERM) a mode that would add set-id bits (`mode` is the new mode, `current` the
 * bits the file has now: keeping bits a file already has is not adding them), unless the
 * export allows set-id files.
 */
export function checkSetid(policy: SpecialPolicy, mode: number, current = 0): void {
  if (!policy.allowSetid && mode & SETID & ~current)
    throw fsError('EPERM', 'set-id bits are not allowed on this export (allowSetid)');
}

/** Refuses (EPERM) making or opening a character or block device unless the export allows it. */
export function checkDevice(policy: SpecialPolicy, mode: number): void {
  if (!policy.allowDevices && isDevice(mode))
    throw fsError('EPERM', 'device nodes are not allowed on this export (allowDevices)');
}

/**
 * The set-id bits the kernel clears when a writer without CAP_FSETID writes to, truncates or
 * chowns a regular file (should_remove_suid): set-user-ID always, set-group-ID only with
 * group execute (without it the bit marks mandatory locking, not privilege). The server
 * holds that capability when it runs as root, so it clears them itself on behalf of a
 * client user other than root.
 */
export function privsToDrop(mode: number, cred: Credentials | undefined): number {
  if ((mode & Mode.IFMT) !== Mode.IFREG || cred?.uid === 0) return 0;
  let drop = mode & Mode.ISUID;
  if (mode & Mode.ISGID && mode & 0o010) drop |= Mode.ISGID;
  return drop;
}
