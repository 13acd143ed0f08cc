import { type FsatBinding, loadFsat } from './binding.js';
import { type Dirent, parseDirents } from './dirent.js';
import { check, FsatSystemError } from './errors.js';
import { decodeStat, STAT_BUFFER_LENGTH, type Stat, type Timespec } from './stat.js';

/** How names below a `Dir` may resolve. */
export interface DirOptions {
  /**
   * Refuse every symlink on the way, not only those that lead out (RESOLVE_NO_SYMLINKS).
   * Default false: relative links that stay beneath the directory are followed.
   */
  noSymlinks?: boolean;
}

/** A time to set: exact seconds and nanoseconds, now, or left as it is. */
export type TimeToSet = Timespec | 'now' | 'omit';

const EINVAL = -22;
const ENOENT = -2;
const EXDEV = -18;
const DIRENT_BUFFER = 32 * 1024;

/**
 * A directory held by a descriptor, and every path below it resolved by the kernel beneath
 * it (openat2 with RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS): `..` past the top, absolute
 * symlinks, links that lead out and /proc magic links all fail (EXDEV, ELOOP), however the
 * tree changes while a call runs. Nothing is checked and then opened again by path.
 *
 * Paths are relative to the directory (`''` is the directory itself). Calls that act on an
 * entry (mkdir, unlink, rename, symlink...) resolve its parent beneath and then act on the
 * last name in that parent; calls that act on an object (stat, chmod, chown, utimes, xattrs)
 * open it beneath without following a final symlink, then act on that descriptor.
 * Failures throw `FsatSystemError` with the errno name as `code` (`tryOpen` returns -errno).
 */
export class Dir {
  private readonly at: FsatBinding;
  private readonly resolve: number;
  private closed = false;

  private constructor(
    /** The O_PATH descriptor this handle owns. */
    readonly fd: number,
    /** The path it was opened with, for error messages. */
    readonly path: string,
    options: DirOptions,
  ) {
    this.at = loadFsat();
    const c = this.at.constants;
    this.resolve =
      c.RESOLVE_BENEATH |
      c.RESOLVE_NO_MAGICLINKS |
      (options.noSymlinks ? c.RESOLVE_NO_SYMLINKS : 0);
  }

  /** Opens `path` (the caller's trusted root, resolved as usual) as the top of a `Dir`. */
  static open(path: string, options: DirOptions = {}): Dir {
    const at = loadFsat();
    const c = at.constants;
    const fd = check(at.openat2(c.AT_FDCWD, path, c.O_PATH | c.O_DIRECTORY, 0, 0), 'openat2', path);
    return new Dir(fd, path, options);
  }

  /** A `Dir` for the directory at `path` beneath this one, with the same rules. */
  dir(path: string): Dir {
    const c = this.at.constants;
    const fd = this.open(path, c.O_PATH | c.O_DIRECTORY);
    return new Dir(fd, this.join(path), {
      noSymlinks: (this.resolve & c.RESOLVE_NO_SYMLINKS) !== 0,
    });
  }

  /** openat2 beneath: a new descriptor (close-on-exec) the caller owns, or throws. */
  open(path: string, flags: number, mode = 0o666): number {
    return check(this.tryOpen(path, flags, mode), 'openat2', this.join(path));
  }

  /** As `open`, but a failure is `-errno`, not an exception (the hot path of a server). */
  tryOpen(path: string, flags: number, mode = 0o666): number {
    this.assertOpen();
    return this.at.openat2(this.fd, path === '' ? '.' : path, flags, mode, this.resolve);
  }

  /** As `open`, on libuv's thread pool: for FIFOs and devices, whose open may wait. */
  async openAsync(path: string, flags: number, mode = 0o666): Promise<number> {
    this.assertOpen();
    const fd = await this.at.openat2Async(
      this.fd,
      path === '' ? '.' : path,
      flags,
      mode,
      this.resolve,
    );
    return check(fd, 'openat2', this.join(path));
  }

  /** statx of the entry itself (a final symlink is not followed). */
  stat(path = ''): Stat {
    const stat = this.tryStat(path);
    if (stat === undefined) throw new FsatSystemError(ENOENT, 'statx', this.join(path));
    return stat;
  }

  /** As `stat`, but a missing entry is `undefined`. */
  tryStat(path = ''): Stat | undefined {
    const c = this.at.constants;
    const fd = this.tryOpen(path, c.O_PATH | c.O_NOFOLLOW);
    if (fd === ENOENT) return undefined;
    check(fd, 'statx', this.join(path));
    try {
      const out = new BigInt64Array(STAT_BUFFER_LENGTH);
      check(this.at.statx(fd, '', c.AT_EMPTY_PATH, out), 'statx', this.join(path));
      return decodeStat(out);
    } finally {
      this.at.close(fd);
    }
  }

  mkdir(path: string, mode = 0o777): void {
    this.onEntry(path, 'mkdirat', (dirFd, name) => this.at.mkdirat(dirFd, name, mode));
  }

  /** mknodat: `mode` carries the type (S_IFIFO, S_IFCHR...); a device needs its numbers. */
  mknod(path: string, mode: number, major = 0, minor = 0): void {
    this.onEntry(path, 'mknodat', (dirFd, name) =>
      this.at.mknodat(dirFd, name, mode, major, minor),
    );
  }

  /** Removes a non-directory entry (a symlink itself, never its target). */
  unlink(path: string): void {
    this.onEntry(path, 'unlinkat', (dirFd, name) => this.at.unlinkat(dirFd, name, 0));
  }

  rmdir(path: string): void {
    const c = this.at.constants;
    this.onEntry(path, 'unlinkat', (dirFd, name) => this.at.unlinkat(dirFd, name, c.AT_REMOVEDIR));
  }

  /**
   * renameat2 from `from` to `to` beneath `toDir` (default this one). `flags`:
   * RENAME_NOREPLACE, RENAME_EXCHANGE.
   */
  rename(from: string, to: string, options: { toDir?: Dir; flags?: number } = {}): void {
    const target = options.toDir ?? this;
    this.onEntry(from, 'renameat2', (fromFd, fromName) =>
      target.onEntry(to, 'renameat2', (toFd, toName) =>
        this.at.renameat2(fromFd, fromName, toFd, toName, options.flags ?? 0),
      ),
    );
  }

  /** A hard link `to` of the entry `existing` (a symlink links itself). */
  link(existing: string, to: string, options: { toDir?: Dir } = {}): void {
    const target = options.toDir ?? this;
    this.onEntry(existing, 'linkat', (fromFd, fromName) =>
      target.onEntry(to, 'linkat', (toFd, toName) =>
        this.at.linkat(fromFd, fromName, toFd, toName, 0),
      ),
    );
  }

  /** A symlink at `path` holding `target` (any text; it is resolved only when followed). */
  symlink(target: string, path: string): void {
    this.onEntry(path, 'symlinkat', (dirFd, name) => this.at.symlinkat(target, dirFd, name));
  }

  readlink(path: string): string {
    return this.onEntry(path, 'readlinkat', (dirFd, name) => {
      const result = this.at.readlinkat(dirFd, name);
      return typeof result === 'number' ? check(result, 'readlinkat', this.join(path)) : result;
    }) as string;
  }

  /** Changes owners of the entry itself (a symlink's own); -1 keeps an id as it is. */
  chown(path: string, uid: number, gid: number): void {
    const c = this.at.constants;
    this.onObject(path, 'fchownat', (fd) =>
      check(this.at.fchownat(fd, '', uid, gid, c.AT_EMPTY_PATH), 'fchownat', this.join(path)),
    );
  }

  /** Changes permission bits; a symlink has none (EOPNOTSUPP, as on Linux). */
  chmod(path: string, mode: number): void {
    this.onObject(path, 'fchmodat', (fd) =>
      check(this.at.fchmodat(fd, '', mode, 0), 'fchmodat', this.join(path)),
    );
  }

  /** Sets access and modification times to the nanosecond. */
  utimes(path: string, atime: TimeToSet, mtime: TimeToSet): void {
    const c = this.at.constants;
    const parts = (t: TimeToSet): [number, number] =>
      t === 'now' ? [0, c.UTIME_NOW] : t === 'omit' ? [0, c.UTIME_OMIT] : [t.sec, t.nsec];
    const [as, an] = parts(atime);
    const [ms, mn] = parts(mtime);
    this.onObject(path, 'utimensat', (fd) =>
      check(this.at.utimensat(fd, '', as, an, ms, mn, 0), 'utimensat', this.join(path)),
    );
  }

  /** The entries of the directory at `path`, without `.` and `..`. */
  readdir(path = ''): Dirent[] {
    const c = this.at.constants;
    const fd = this.open(path, c.O_RDONLY | c.O_DIRECTORY);
    try {
      const buffer = new Uint8Array(DIRENT_BUFFER);
      const entries: Dirent[] = [];
      for (;;) {
        const n = check(this.at.getdents(fd, buffer), 'getdents64', this.join(path));
        if (n === 0) break;
        for (const entry of parseDirents(buffer, n)) {
          if (entry.name !== '.' && entry.name !== '..') entries.push(entry);
        }
      }
      return entries;
    } finally {
      this.at.close(fd);
    }
  }

  /** An extended attribute's value, or `undefined` when the entry has none of that name. */
  getxattr(path: string, name: string): Buffer | undefined {
    return this.onObject(path, 'fgetxattr', (fd) => {
      for (;;) {
        const size = this.at.fgetxattr(fd, name, null);
        if (size === -61 /* ENODATA */) return undefined;
        check(size, 'fgetxattr', this.join(path));
        const value = Buffer.alloc(size);
        const got = this.at.fgetxattr(fd, name, value);
        if (got === -34 /* ERANGE: it grew meanwhile */) continue;
        check(got, 'fgetxattr', this.join(path));
        return value.subarray(0, got);
      }
    });
  }

  /** Sets an extended attribute (`flags`: XATTR_CREATE, XATTR_REPLACE). */
  setxattr(path: string, name: string, value: Uint8Array, flags = 0): void {
    this.onObject(path, 'fsetxattr', (fd) =>
      check(this.at.fsetxattr(fd, name, value, flags), 'fsetxattr', this.join(path)),
    );
  }

  listxattr(path: string): string[] {
    return this.onObject(path, 'flistxattr', (fd) => {
      for (;;) {
        const size = check(this.at.flistxattr(fd, null), 'flistxattr', this.join(path));
        if (size === 0) return [];
        const names = Buffer.alloc(size);
        const got = this.at.flistxattr(fd, names);
        if (got === -34 /* ERANGE */) continue;
        check(got, 'flistxattr', this.join(path));
        return names.subarray(0, got).toString('utf8').split('\0').filter(Boolean);
      }
    });
  }

  removexattr(path: string, name: string): void {
    this.onObject(path, 'fremovexattr', (fd) =>
      check(this.at.fremovexattr(fd, name), 'fremovexattr', this.join(path)),
    );
  }

  /** Closes the descriptor; further calls throw EBADF. Closing twice does nothing. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.at.close(this.fd);
  }

  [Symbol.dispose](): void {
    this.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new FsatSystemError(-9 /* EBADF */, 'openat2', this.path);
  }

  private join(path: string): string {
    return path === '' ? this.path : `${this.path.replace(/\/+$/, '')}/${path}`;
  }

  /** Opens the object at `path` (O_PATH, final symlink not followed), runs `body`, closes. */
  private onObject<T>(path: string, syscall: string, body: (fd: number) => T): T {
    const c = this.at.constants;
    const fd = check(this.tryOpen(path, c.O_PATH | c.O_NOFOLLOW), syscall, this.join(path));
    try {
      return body(fd);
    } finally {
      this.at.close(fd);
    }
  }

  /**
   * Resolves the parent of `path` beneath this directory, then runs `body` on (parent, last
   * name). The last name may not be empty, `.` or `..`: an entry call on those would act
   * on a directory the path does not name (`..` of the top is outside).
   */
  private onEntry<T>(
    path: string,
    syscall: string,
    body: (dirFd: number, name: string) => number | T,
  ): number | T {
    this.assertOpen();
    const trimmed = path.replace(/\/+$/, '');
    const slash = trimmed.lastIndexOf('/');
    const name = trimmed.slice(slash + 1);
    if (trimmed.startsWith('/') || path.startsWith('/')) {
      throw new FsatSystemError(EXDEV, syscall, path); // as openat2 answers RESOLVE_BENEATH
    }
    if (name === '' || name === '.' || name === '..') {
      throw new FsatSystemError(EINVAL, syscall, this.join(path));
    }
    const parent = slash < 0 ? '' : trimmed.slice(0, slash);
    const c = this.at.constants;
    const parentFd = parent === '' ? this.fd : this.open(parent, c.O_PATH | c.O_DIRECTORY);
    try {
      const result = body(parentFd, name);
      if (typeof result === 'number') check(result, syscall, this.join(path));
      return result;
    } finally {
      if (parentFd !== this.fd) this.at.close(parentFd);
    }
  }
}
