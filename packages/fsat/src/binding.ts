import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { FsatAddonError } from './errors.js';

/** The kernel's flag values, read from the addon (they differ between architectures). */
export interface FsatConstants {
  readonly O_RDONLY: number;
  readonly O_WRONLY: number;
  readonly O_RDWR: number;
  readonly O_CREAT: number;
  readonly O_EXCL: number;
  readonly O_TRUNC: number;
  readonly O_APPEND: number;
  readonly O_NONBLOCK: number;
  readonly O_DIRECTORY: number;
  readonly O_NOFOLLOW: number;
  readonly O_PATH: number;
  readonly O_NOATIME: number;
  readonly O_DIRECT: number;
  readonly O_SYNC: number;
  readonly O_DSYNC: number;
  readonly O_CLOEXEC: number;
  readonly O_NOCTTY: number;
  readonly O_TMPFILE: number;
  readonly RESOLVE_NO_XDEV: number;
  readonly RESOLVE_NO_MAGICLINKS: number;
  readonly RESOLVE_NO_SYMLINKS: number;
  readonly RESOLVE_BENEATH: number;
  readonly RESOLVE_IN_ROOT: number;
  readonly RESOLVE_CACHED: number;
  readonly AT_FDCWD: number;
  readonly AT_EMPTY_PATH: number;
  readonly AT_SYMLINK_NOFOLLOW: number;
  readonly AT_SYMLINK_FOLLOW: number;
  readonly AT_REMOVEDIR: number;
  readonly AT_NO_AUTOMOUNT: number;
  readonly RENAME_NOREPLACE: number;
  readonly RENAME_EXCHANGE: number;
  readonly RENAME_WHITEOUT: number;
  readonly UTIME_NOW: number;
  readonly UTIME_OMIT: number;
  readonly XATTR_CREATE: number;
  readonly XATTR_REPLACE: number;
  readonly SEEK_SET: number;
  readonly SEEK_CUR: number;
  readonly SEEK_END: number;
  /** Length of the BigInt64Array `statx` fills (see `stat.ts`). */
  readonly STAT_FIELDS: number;
}

/**
 * The addon's surface (native/fsat.c), one function per system call. Results are numbers:
 * >= 0 on success, `-errno` on failure, never an exception (so a missing name on a hot path
 * costs a comparison). Names are JS strings; one with a NUL byte is `-EINVAL`, one of
 * PATH_MAX bytes or more `-ENAMETOOLONG`. Only argument type errors throw (TypeError).
 */
export interface FsatBinding {
  /** openat2(2); O_CLOEXEC is always added. `mode` counts only with O_CREAT/O_TMPFILE. */
  openat2(dirFd: number, path: string, flags: number, mode: number, resolve: number): number;
  /** openat2 on libuv's thread pool, for names that may be FIFOs or devices. */
  openat2Async(
    dirFd: number,
    path: string,
    flags: number,
    mode: number,
    resolve: number,
  ): Promise<number>;
  /** statx(2) into `out` (STAT_FIELDS entries); decode with `decodeStat`. */
  statx(dirFd: number, path: string, flags: number, out: BigInt64Array): number;
  mkdirat(dirFd: number, name: string, mode: number): number;
  mknodat(dirFd: number, name: string, mode: number, major: number, minor: number): number;
  unlinkat(dirFd: number, name: string, flags: number): number;
  renameat2(
    oldDirFd: number,
    oldName: string,
    newDirFd: number,
    newName: string,
    flags: number,
  ): number;
  linkat(
    oldDirFd: number,
    oldName: string,
    newDirFd: number,
    newName: string,
    flags: number,
  ): number;
  symlinkat(target: string, dirFd: number, name: string): number;
  /** The link's target, or -errno. An empty name reads an O_PATH descriptor of a symlink. */
  readlinkat(dirFd: number, name: string): string | number;
  /** -1 leaves that id as it is. An empty name with AT_EMPTY_PATH changes dirFd itself. */
  fchownat(dirFd: number, name: string, uid: number, gid: number, flags: number): number;
  /** An empty name changes dirFd itself, O_PATH descriptors included. */
  fchmodat(dirFd: number, name: string, mode: number, flags: number): number;
  /** Nanoseconds may be UTIME_NOW or UTIME_OMIT. An empty name changes dirFd itself. */
  utimensat(
    dirFd: number,
    name: string,
    atimeSec: number | bigint,
    atimeNsec: number,
    mtimeSec: number | bigint,
    mtimeNsec: number,
    flags: number,
  ): number;
  /** getdents64(2): raw records into `buffer`, bytes filled (0 at the end); see `parseDirents`. */
  getdents(fd: number, buffer: Uint8Array): number;
  /** lseek(2): the new offset (bigint), or -errno (number). */
  lseek(fd: number, offset: bigint | number, whence: number): bigint | number;
  close(fd: number): number;
  /** The value's size, or -errno; `null` asks for the size only. O_PATH descriptors work. */
  fgetxattr(fd: number, name: string, buffer: Uint8Array | null): number;
  fsetxattr(fd: number, name: string, value: Uint8Array, flags: number): number;
  /** NUL-separated names' total size, or -errno; `null` asks for the size only. */
  flistxattr(fd: number, buffer: Uint8Array | null): number;
  fremovexattr(fd: number, name: string): number;
  readonly constants: FsatConstants;
}

/** Points at a compiled addon to use instead (e.g. one bundled beside a script in a guest). */
export const ADDON_PATH_ENV = 'MULTIVERSE_FSAT_ADDON';

let loaded: FsatBinding | undefined;

/**
 * The addon, loaded once: `$MULTIVERSE_FSAT_ADDON` if set, else what node-gyp-build finds in
 * the package (a local build in build/Release, or the shipped prebuilds/linux-<arch>/).
 * Throws `FsatAddonError` naming the platform when there is none.
 */
export function loadFsat(): FsatBinding {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  const fromEnv = process.env[ADDON_PATH_ENV];
  if (process.platform !== 'linux') {
    throw new FsatAddonError(
      `@multiverse-os/fsat needs Linux (openat2, statx); this is ${process.platform}-${process.arch}`,
    );
  }
  // Both src/ (tests) and dist/ (the package) sit one level below the package root.
  const packageRoot = fileURLToPath(new URL('..', import.meta.url));
  let path: string;
  try {
    path =
      fromEnv ?? (require('node-gyp-build') as { path(dir: string): string }).path(packageRoot);
  } catch (cause) {
    throw new FsatAddonError(
      `no @multiverse-os/fsat addon for linux-${process.arch} (Node ${process.versions.node}): ` +
        'no prebuild fits and none was compiled; run "node scripts/install.mjs --force" in the ' +
        'package (needs a C compiler and node-gyp)',
      { cause },
    );
  }
  try {
    loaded = require(path) as FsatBinding;
  } catch (cause) {
    throw new FsatAddonError(`cannot load the @multiverse-os/fsat addon ${path}`, { cause });
  }
  return loaded;
}
