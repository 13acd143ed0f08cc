import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
} from 'node:fs';
import { join } from 'node:path';
import { ImageError } from '../errors.js';
import type { ToolVersions } from './cache-key.js';

/** What `manifest.json` beside each built image says. */
export interface OsImageManifest {
  formatVersion: 1;
  key: string;
  /** ISO time of the build. */
  builtAt: string;
  buildSeconds: number;
  suite: string;
  arch: string;
  mirror: string;
  /** The caller's packages (the base set and kernel come with every image). */
  packages: string[];
  kernelPackage: string;
  /** `uname -r` of the kernel beside the image. */
  kernelRelease: string;
  agent: boolean;
  tools: ToolVersions;
  /** Bytes of each file. */
  sizes: { rootfs: number; kernel: number; initrd: number };
}

/** A built image in the cache: the three files formulas name, and its manifest. */
export interface OsImage {
  key: string;
  dir: string;
  /** The qcow2 root file system (ext4 on the whole disk: `root=/dev/vda`). */
  rootfs: string;
  kernel: string;
  initrd: string;
  manifest: OsImageManifest;
}

export interface OsImageEntry extends OsImage {
  /** Bytes on disk of the whole entry. */
  diskBytes: number;
  /** When the entry was last built or reused. */
  lastUsed: Date;
}

export interface PruneOptions {
  /** Remove every image, not only the ones unused for `unusedForMs`. */
  all?: boolean;
  /** Remove images not built or reused for this long; default: none are removed by age. */
  unusedForMs?: number;
  now?: Date;
}

export interface PruneResult {
  removed: string[];
  freedBytes: number;
}

export const ROOTFS_FILE = 'rootfs.qcow2';
export const KERNEL_FILE = 'vmlinuz';
export const INITRD_FILE = 'initrd.img';
export const MANIFEST_FILE = 'manifest.json';
const KEY = /^[0-9a-f]{32}$/;
const TEMP_PREFIX = '.build-';

function treeBytes(path: string): number {
  const stats = lstatSync(path, { throwIfNoEntry: false });
  if (!stats) return 0;
  if (!stats.isDirectory()) return stats.blocks * 512;
  let total = 0;
  for (const name of readdirSync(path)) total += treeBytes(join(path, name));
  return total;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Mount points at or below `dir`. A build killed in mmdebstrap's root mode can leave /dev or
 * /proc bind-mounted inside its chroot; removing such a folder recursively would delete the
 * host's device nodes, so nothing under a mount point is ever removed.
 */
export function mountsUnder(dir: string): string[] {
  let table: string;
  try {
    table = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  return table
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((mountPoint): mountPoint is string => mountPoint !== undefined)
    .map((mountPoint) =>
      mountPoint.replace(/\\([0-7]{3})/g, (_, o) => String.fromCharCode(Number.parseInt(o, 8))),
    )
    .filter((mountPoint) => mountPoint === dir || mountPoint.startsWith(prefix));
}

/** Removes a build's folder, refusing (loudly) when something is still mounted inside it. */
export function removeBuildDir(dir: string): void {
  const mounts = mountsUnder(dir);
  if (mounts.length > 0) {
    throw new ImageError(
      'BUILD_FAILED',
      `${dir} still has mounts inside (${mounts.join(', ')}): unmount them (umount -R) before removing it`,
    );
  }
  rmSync(dir, { recursive: true, force: true });
}

/**
 * The content-addressed store of built OS images: `<root>/<key>/{rootfs.qcow2, vmlinuz,
 * initrd.img, manifest.json}`. Builds happen in `<root>/.build-<key>-<pid>-*` beside the
 * entries and are renamed into place, so an entry is either complete or absent.
 */
export class OsImageStore {
  constructor(readonly root: string) {}

  entryDir(key: string): string {
    if (!KEY.test(key)) throw new ImageError('INVALID_OPTION', `key: not an image key: ${key}`);
    return join(this.root, key);
  }

  #read(key: string): OsImage | undefined {
    const dir = this.entryDir(key);
    let manifest: OsImageManifest;
    try {
      manifest = JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8')) as OsImageManifest;
    } catch {
      return undefined;
    }
    const image = {
      key,
      dir,
      rootfs: join(dir, ROOTFS_FILE),
      kernel: join(dir, KERNEL_FILE),
      initrd: join(dir, INITRD_FILE),
      manifest,
    };
    if (manifest.key !== key || ![image.rootfs, image.kernel, image.initrd].every(existsSync)) {
      return undefined;
    }
    return image;
  }

  /** The entry for `key`, marked as used now; undefined when absent or incomplete. */
  get(key: string): OsImage | undefined {
    const image = this.#read(key);
    if (image) {
      const now = new Date();
      utimesSync(join(image.dir, MANIFEST_FILE), now, now);
    }
    return image;
  }

  /** Every complete entry, most recently used first. */
  list(): OsImageEntry[] {
    if (!existsSync(this.root)) return [];
    const entries: OsImageEntry[] = [];
    for (const name of readdirSync(this.root)) {
      if (!KEY.test(name)) continue;
      const image = this.#read(name);
      if (!image) continue;
      entries.push({
        ...image,
        diskBytes: treeBytes(image.dir),
        lastUsed: statSync(join(image.dir, MANIFEST_FILE)).mtime,
      });
    }
    return entries.sort((a, b) => b.lastUsed.getTime() - a.lastUsed.getTime());
  }

  /** A fresh build folder beside the entries (same file system, so publishing is a rename). */
  makeBuildDir(key: string): string {
    this.entryDir(key);
    mkdirSync(this.root, { recursive: true });
    const dir = mkdtempSync(join(this.root, `${TEMP_PREFIX}${key}-${process.pid}-`));
    // apt downloads as _apt, which must reach the chroot inside.
    chmodSync(dir, 0o755);
    return dir;
  }

  /**
   * Renames a finished build folder into place. When another build of the same key won the
   * race, its entry stays and this folder is removed: `published` is false.
   */
  publish(buildDir: string, key: string): { image: OsImage; published: boolean } {
    const dir = this.entryDir(key);
    let published = true;
    try {
      renameSync(buildDir, dir);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
      removeBuildDir(buildDir);
      published = false;
    }
    const image = this.#read(key);
    if (!image) throw new ImageError('BUILD_FAILED', `${dir} is incomplete after publishing`);
    return { image, published };
  }

  /**
   * Removes build folders left by processes that no longer run (always), and entries unused
   * for `unusedForMs` or, with `all`, every entry.
   */
  prune(options: PruneOptions = {}): PruneResult {
    const result: PruneResult = { removed: [], freedBytes: 0 };
    if (!existsSync(this.root)) return result;
    const now = (options.now ?? new Date()).getTime();
    for (const name of readdirSync(this.root)) {
      const path = join(this.root, name);
      let remove = false;
      if (name.startsWith(TEMP_PREFIX)) {
        const pid = Number(name.slice(TEMP_PREFIX.length).split('-')[1]);
        remove = !Number.isInteger(pid) || !processAlive(pid);
      } else if (KEY.test(name)) {
        const manifest = statSync(join(path, MANIFEST_FILE), { throwIfNoEntry: false });
        remove =
          options.all === true ||
          manifest === undefined ||
          (options.unusedForMs !== undefined &&
            now - manifest.mtime.getTime() > options.unusedForMs);
      }
      if (!remove) continue;
      // Checked before sizing too: a leftover /proc mount is not walked.
      const bytes = mountsUnder(path).length === 0 ? treeBytes(path) : 0;
      removeBuildDir(path);
      result.removed.push(path);
      result.freedBytes += bytes;
    }
    return result;
  }
}
