import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { CpioEntry } from '../cpio/writer.js';

/** Bumped whenever the archive layout or /init changes, so old cache entries are not reused. */
const FORMAT_VERSION = 1;

/**
 * Where built images are kept: `MULTIVERSE_IMAGE_CACHE`, else `$XDG_CACHE_HOME/multiverse-os/image`,
 * else `~/.cache/multiverse-os/image`.
 */
export function defaultCacheDir(): string {
  const explicit = process.env.MULTIVERSE_IMAGE_CACHE;
  if (explicit) return explicit;
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'multiverse-os', 'image');
}

/**
 * A key for the archive `entries` would produce. Host files count by path, size, mtime and
 * inode rather than by content: hashing a 100 MB node binary on every build would cost more
 * than the cache saves, and a package upgrade changes all three.
 */
export function cacheKey(entries: readonly CpioEntry[], compressionLevel: number): string {
  const hash = createHash('sha256');
  hash.update(`mv-image/${FORMAT_VERSION}/gzip-${compressionLevel}\n`);
  for (const entry of entries) {
    switch (entry.type) {
      case 'host-file': {
        const stats = statSync(entry.source, { bigint: true });
        hash.update(
          `F ${entry.path} ${entry.mode} ${entry.source} ${stats.size} ${stats.mtimeNs} ${stats.ino}\n`,
        );
        break;
      }
      case 'file':
        hash.update(`D ${entry.path} ${entry.mode} ${entry.data.length}\n`);
        hash.update(entry.data);
        break;
      case 'directory':
        hash.update(`d ${entry.path} ${entry.mode}\n`);
        break;
      case 'symlink':
        hash.update(`l ${entry.path} ${entry.target}\n`);
        break;
      case 'char-device':
        hash.update(`c ${entry.path} ${entry.mode} ${entry.major} ${entry.minor}\n`);
        break;
    }
  }
  return hash.digest('hex').slice(0, 32);
}
