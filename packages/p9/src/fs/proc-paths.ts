import { constants } from 'node:fs';

/**
 * Linux openat()-like access from Node's path-based `fs`: `/proc/self/fd/<fd>/<name>` resolves
 * <fd> through the kernel's magic link to the very directory the descriptor holds (no path
 * text is re-parsed, so a directory swapped for a symlink does not move us), then looks up one
 * name in it. Final-component operations that do not follow symlinks (lstat, O_NOFOLLOW open,
 * unlink, rename, link, readlink, lchown, mkdir, symlink) stay inside that directory.
 */
export const O_PATH = 0o10000000;
export const O_NOFOLLOW = constants.O_NOFOLLOW;
export const O_DIRECTORY = constants.O_DIRECTORY;
export const O_CLOEXEC = 0o2000000;
export const O_DIRECT = 0o40000;

/** The object an fd holds itself (for chmod, truncate, utimes, open of non-symlinks). */
export function fdPath(fd: number): string {
  return `/proc/self/fd/${fd}`;
}

/** `name` inside the directory `dirFd` holds. `name` was checked: no `/`, not `.`/`..`. */
export function entryPath(dirFd: number, name: string): string {
  return `/proc/self/fd/${dirFd}/${name}`;
}
