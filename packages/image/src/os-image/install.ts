import { constants, copyFileSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, isAbsolute } from 'node:path';
import { InvalidOptionError } from '../errors.js';
import type { OsImage } from './store.js';

/**
 * Copies a built image to the paths a formula names (`/var/lib/multiverse/images/debian-12/...`),
 * each through a temporary file beside it and a rename, so a reader never sees half a file.
 * Returns the paths written.
 */
export function installOsImage(
  image: OsImage,
  to: { rootfs: string; kernel?: string; initrd?: string },
): string[] {
  const copies: [string, string, string][] = [['rootfs', image.rootfs, to.rootfs]];
  if (to.kernel !== undefined) copies.push(['kernel', image.kernel, to.kernel]);
  if (to.initrd !== undefined) copies.push(['initrd', image.initrd, to.initrd]);
  for (const [what, , target] of copies) {
    if (!isAbsolute(target))
      throw new InvalidOptionError(what, `must be an absolute path, got ${target}`);
  }
  for (const [, source, target] of copies) {
    mkdirSync(dirname(target), { recursive: true });
    const temporary = `${target}.${process.pid}.tmp`;
    try {
      copyFileSync(source, temporary, constants.COPYFILE_FICLONE);
      renameSync(temporary, target);
    } finally {
      rmSync(temporary, { force: true });
    }
  }
  return copies.map(([, , target]) => target);
}
