import {
  closeSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  readSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadFsat } from '../../src/binding.js';
import { Dir } from '../../src/dir.js';
import { FsatSystemError } from '../../src/errors.js';
import { useTempDirs } from './support.js';

const c = loadFsat().constants;
const dirs = useTempDirs();

function expectErrno(call: () => unknown, code: string): void {
  try {
    call();
  } catch (error) {
    expect(error).toBeInstanceOf(FsatSystemError);
    expect((error as FsatSystemError).code).toBe(code);
    return;
  }
  throw new Error(`expected ${code}, the call succeeded`);
}

beforeEach(() => {
  mkdirSync(join(dirs.root, 'sub'), { recursive: true });
  mkdirSync(dirs.outside, { recursive: true });
  writeFileSync(join(dirs.outside, 'secret'), 'outside secret');
  writeFileSync(join(dirs.root, 'sub', 'inside'), 'inside data');
});

describe('Dir: resolution stays beneath the top', () => {
  it('opens files below it', () => {
    using root = Dir.open(dirs.root);
    const fd = root.open('sub/inside', c.O_RDONLY);
    const buffer = Buffer.alloc(64);
    const n = readSync(fd, buffer);
    closeSync(fd);
    expect(buffer.subarray(0, n).toString()).toBe('inside data');
  });

  it('refuses .. past the top, absolute paths, and links that lead out', () => {
    symlinkSync('../outside/secret', join(dirs.root, 'relative-out'));
    symlinkSync(join(dirs.outside, 'secret'), join(dirs.root, 'absolute-out'));
    symlinkSync('/proc/self/root', join(dirs.root, 'magic'));
    symlinkSync('../../outside', join(dirs.root, 'sub', 'dir-out'));
    using root = Dir.open(dirs.root);
    for (const path of [
      '../outside/secret',
      'sub/../../outside/secret',
      join(dirs.outside, 'secret'),
      'relative-out',
      'absolute-out',
      'sub/dir-out/secret',
    ]) {
      expectErrno(() => root.open(path, c.O_RDONLY), 'EXDEV');
    }
    // /proc/self/root: an absolute link (EXDEV) to a magic link; either refusal is confinement.
    expect(root.tryOpen('magic/etc/hostname', c.O_RDONLY)).toBeLessThan(0);
    // And a subdirectory handle is confined to itself, not to its parent.
    using sub = root.dir('sub');
    expectErrno(() => sub.open('../sub/inside', c.O_RDONLY), 'EXDEV');
  });

  it('follows relative links that stay inside, unless noSymlinks', () => {
    symlinkSync('sub/inside', join(dirs.root, 'alias'));
    using root = Dir.open(dirs.root);
    closeSync(root.open('alias', c.O_RDONLY));
    using strict = Dir.open(dirs.root, { noSymlinks: true });
    expectErrno(() => strict.open('alias', c.O_RDONLY), 'ELOOP');
  });

  it('answers a missing name with -ENOENT from tryOpen, no exception', () => {
    using root = Dir.open(dirs.root);
    expect(root.tryOpen('nope', c.O_RDONLY)).toBe(-2);
    expect(root.tryStat('nope')).toBeUndefined();
  });

  it('refuses entry calls on ., .. and absolute names', () => {
    using root = Dir.open(dirs.root);
    expectErrno(() => root.mkdir('..'), 'EINVAL');
    expectErrno(() => root.unlink('sub/..'), 'EINVAL');
    expectErrno(() => root.rmdir('.'), 'EINVAL');
    expectErrno(() => root.mkdir('/tmp/x'), 'EXDEV');
    expectErrno(() => root.chown('..', 0, 0), 'EXDEV');
  });

  it('never writes through a final symlink or a dangling one', () => {
    symlinkSync(join(dirs.outside, 'planted'), join(dirs.root, 'dangling'));
    symlinkSync('sub/inside', join(dirs.root, 'inner'));
    using root = Dir.open(dirs.root);
    const flags = c.O_WRONLY | c.O_CREAT | c.O_NOFOLLOW;
    expectErrno(() => root.open('dangling', flags), 'ELOOP');
    expectErrno(() => root.open('inner', flags), 'ELOOP');
    expect(existsSync(join(dirs.outside, 'planted'))).toBe(false);
  });

  it('fails cleanly on names the kernel refuses', () => {
    using root = Dir.open(dirs.root);
    expectErrno(() => root.open('a\0b', c.O_RDONLY), 'EINVAL');
    expectErrno(() => root.open('x'.repeat(5000), c.O_RDONLY), 'ENAMETOOLONG');
    expectErrno(() => root.open('x'.repeat(300), c.O_RDONLY), 'ENAMETOOLONG');
  });

  it('refuses calls after close', () => {
    const root = Dir.open(dirs.root);
    root.close();
    root.close();
    expectErrno(() => root.open('sub', c.O_RDONLY), 'EBADF');
  });
});

describe('Dir: entry and object calls', () => {
  it('stat matches lstat, timestamps to the nanosecond', () => {
    symlinkSync('sub/inside', join(dirs.root, 'link'));
    using root = Dir.open(dirs.root);
    for (const path of ['sub/inside', 'sub', 'link']) {
      const mine = root.stat(path);
      const node = lstatSync(join(dirs.root, path), { bigint: true });
      expect(mine.ino).toBe(node.ino);
      expect(mine.size).toBe(node.size);
      expect(mine.mode).toBe(Number(node.mode));
      expect(mine.nlink).toBe(Number(node.nlink));
      expect(BigInt(mine.mtime.sec) * 1_000_000_000n + BigInt(mine.mtime.nsec)).toBe(node.mtimeNs);
      expect(BigInt(mine.ctime.sec) * 1_000_000_000n + BigInt(mine.ctime.nsec)).toBe(node.ctimeNs);
    }
    expect(root.stat('link').type).toBe('symlink');
    expect(root.stat('sub').type).toBe('directory');
    expect(root.stat().type).toBe('directory');
  });

  it('makes, links, renames and removes entries', () => {
    using root = Dir.open(dirs.root);
    root.mkdir('sub/new', 0o750);
    expect(statSync(join(dirs.root, 'sub/new')).isDirectory()).toBe(true);
    root.mknod('sub/fifo', 0o010644);
    expect(lstatSync(join(dirs.root, 'sub/fifo')).isFIFO()).toBe(true);
    root.symlink('inside', 'sub/ln');
    expect(readlinkSync(join(dirs.root, 'sub/ln'))).toBe('inside');
    expect(root.readlink('sub/ln')).toBe('inside');
    root.link('sub/inside', 'hard');
    expect(lstatSync(join(dirs.root, 'hard')).nlink).toBe(2);
    root.rename('hard', 'sub/new/moved');
    expect(readFileSync(join(dirs.root, 'sub/new/moved'), 'utf8')).toBe('inside data');
    expectErrno(
      () => root.rename('sub/inside', 'sub/new/moved', { flags: c.RENAME_NOREPLACE }),
      'EEXIST',
    );
    root.rename('sub/inside', 'sub/fifo', { flags: c.RENAME_EXCHANGE });
    expect(lstatSync(join(dirs.root, 'sub/inside')).isFIFO()).toBe(true);
    root.unlink('sub/new/moved');
    root.rmdir('sub/new');
    expectErrno(() => root.rmdir('sub'), 'ENOTEMPTY');
    expectErrno(() => root.unlink('sub'), 'EISDIR');
    expect(readdirSync(join(dirs.root, 'sub')).sort()).toEqual(['fifo', 'inside', 'ln']);
  });

  it('renames and links across two Dir handles', () => {
    using root = Dir.open(dirs.root);
    using sub = root.dir('sub');
    root.mkdir('other');
    using other = root.dir('other');
    sub.rename('inside', 'moved', { toDir: other });
    other.link('moved', 'back', { toDir: sub });
    expect(readFileSync(join(dirs.root, 'sub/back'), 'utf8')).toBe('inside data');
  });

  it('sets times to the nanosecond, now, or leaves them', () => {
    using root = Dir.open(dirs.root);
    root.utimes(
      'sub/inside',
      { sec: 1_000_000_000, nsec: 100_000_000 },
      { sec: 2, nsec: 999_999_999 },
    );
    let st = lstatSync(join(dirs.root, 'sub/inside'), { bigint: true });
    expect(st.atimeNs).toBe(1_000_000_000_100_000_000n);
    expect(st.mtimeNs).toBe(2_999_999_999n);
    root.utimes('sub/inside', 'omit', 'now');
    st = lstatSync(join(dirs.root, 'sub/inside'), { bigint: true });
    expect(st.atimeNs).toBe(1_000_000_000_100_000_000n);
    expect(st.mtimeNs).toBeGreaterThan(2_999_999_999n);
    expectErrno(() => root.utimes('sub/inside', { sec: 0, nsec: 1_000_000_000 }, 'omit'), 'EINVAL');
  });

  it('changes modes and owners through O_PATH descriptors', () => {
    using root = Dir.open(dirs.root);
    root.chmod('sub/inside', 0o4711);
    expect(lstatSync(join(dirs.root, 'sub/inside')).mode & 0o7777).toBe(0o4711);
    symlinkSync('inside', join(dirs.root, 'sub/ln'));
    // A symlink has no permission bits of its own on Linux.
    expect(() => root.chmod('sub/ln', 0o600)).toThrow(FsatSystemError);
    if (process.getuid?.() === 0) {
      root.chown('sub/ln', 1234, 5678);
      const st = lstatSync(join(dirs.root, 'sub/ln'));
      expect([st.uid, st.gid]).toEqual([1234, 5678]);
      // The link's target kept its owner: chown acted on the entry itself.
      expect(lstatSync(join(dirs.root, 'sub/inside')).uid).toBe(0);
    }
  });

  it('reads directories with getdents64, as readdir does', () => {
    for (let i = 0; i < 500; i++)
      writeFileSync(join(dirs.root, 'sub', `f${i}-${'n'.repeat(i % 200)}`), '');
    using root = Dir.open(dirs.root);
    const mine = root.readdir('sub');
    expect(mine.map((e) => e.name).sort()).toEqual(readdirSync(join(dirs.root, 'sub')).sort());
    const inside = mine.find((e) => e.name === 'inside');
    expect(inside?.type).toBe('file');
    expect(inside?.ino).toBe(lstatSync(join(dirs.root, 'sub/inside'), { bigint: true }).ino);
  });

  it('keeps extended attributes on files and directories', () => {
    using root = Dir.open(dirs.root);
    expect(root.getxattr('sub/inside', 'user.none')).toBeUndefined();
    root.setxattr('sub/inside', 'user.virtfs.uid', Buffer.from([0xe8, 3, 0, 0]));
    root.setxattr('sub', 'user.big', Buffer.alloc(3000, 7));
    expect(root.getxattr('sub/inside', 'user.virtfs.uid')).toEqual(Buffer.from([0xe8, 3, 0, 0]));
    expect(root.getxattr('sub', 'user.big')).toEqual(Buffer.alloc(3000, 7));
    expect(root.listxattr('sub/inside')).toContain('user.virtfs.uid');
    expectErrno(
      () => root.setxattr('sub/inside', 'user.virtfs.uid', Buffer.from([1]), c.XATTR_CREATE),
      'EEXIST',
    );
    root.removexattr('sub/inside', 'user.virtfs.uid');
    expect(root.listxattr('sub/inside')).not.toContain('user.virtfs.uid');
    expectErrno(() => root.removexattr('sub/inside', 'user.virtfs.uid'), 'ENODATA');
    expectErrno(() => root.getxattr('sub/inside', `user.${'x'.repeat(300)}`), 'ERANGE');
  });

  it('opens a FIFO on the thread pool without blocking the event loop', async () => {
    using root = Dir.open(dirs.root);
    root.mknod('pipe', 0o010600);
    const reader = root.openAsync('pipe', c.O_RDONLY);
    let ticks = 0;
    await new Promise((resolve) => setTimeout(resolve, 50)).then(() => ticks++);
    const writer = root.open('pipe', c.O_WRONLY | c.O_NONBLOCK);
    const fd = await reader;
    expect(ticks).toBe(1);
    closeSync(writer);
    closeSync(fd);
  });
});
