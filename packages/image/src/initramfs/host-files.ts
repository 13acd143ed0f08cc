import { spawnSync } from 'node:child_process';
import { readdirSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CpioEntry } from '../cpio/writer.js';
import { HostFileNotFoundError } from '../errors.js';

/** A host file as an archive entry at `guestPath`, following host symlinks for the content. */
export function hostFileEntry(
  source: string,
  guestPath: string,
  hint: string,
  mode?: number,
): CpioEntry {
  let real: string;
  let stats: ReturnType<typeof statSync>;
  try {
    real = realpathSync(source);
    stats = statSync(real);
  } catch (cause) {
    throw new HostFileNotFoundError(source, hint, { cause });
  }
  if (!stats.isFile()) throw new HostFileNotFoundError(source, `${hint} (not a regular file)`);
  return {
    type: 'host-file',
    path: guestPath,
    source: real,
    size: stats.size,
    mode: mode ?? stats.mode & 0o7777,
  };
}

/**
 * The shared libraries a dynamically linked executable needs, as `ldd` reports them (the
 * dynamic loader included). Paths are the ones the binary asks for, so they are also the
 * paths the libraries must have inside the guest. A static binary needs none.
 */
export function sharedLibraries(executable: string): string[] {
  const result = spawnSync('ldd', [executable], { encoding: 'utf8' });
  if (result.error)
    throw new HostFileNotFoundError('ldd', 'install libc-bin', { cause: result.error });
  const output = `${result.stdout}${result.stderr}`;
  if (/not a dynamic executable|statically linked/.test(output)) return [];
  if (result.status !== 0) {
    throw new HostFileNotFoundError(executable, `ldd failed: ${output.trim()}`);
  }
  const libraries: string[] = [];
  for (const line of output.split('\n')) {
    const arrow = /=>\s+(\/\S+)/.exec(line);
    const direct = /^\s*(\/\S+)\s+\(/.exec(line);
    const path = arrow?.[1] ?? direct?.[1];
    if (path) libraries.push(path);
    else if (/=>\s+not found/.test(line)) {
      throw new HostFileNotFoundError(
        line.trim().split(/\s/)[0] ?? line,
        `needed by ${executable}`,
      );
    }
  }
  return libraries;
}

/** Every file, folder and symlink under `source`, placed under `guestPath`. */
export function hostTreeEntries(source: string, guestPath: string): CpioEntry[] {
  let stats: ReturnType<typeof statSync>;
  try {
    stats = statSync(source);
  } catch (cause) {
    throw new HostFileNotFoundError(source, 'a folder to copy into the image', { cause });
  }
  if (!stats.isDirectory()) {
    throw new HostFileNotFoundError(source, 'a folder to copy into the image (not a folder)');
  }
  const entries: CpioEntry[] = [{ type: 'directory', path: guestPath, mode: stats.mode & 0o7777 }];
  for (const dirent of readdirSync(source, { withFileTypes: true })) {
    const from = join(source, dirent.name);
    const to = `${guestPath}/${dirent.name}`;
    if (dirent.isDirectory()) entries.push(...hostTreeEntries(from, to));
    else if (dirent.isSymbolicLink())
      entries.push({ type: 'symlink', path: to, target: readlinkSync(from) });
    else if (dirent.isFile()) entries.push(hostFileEntry(from, to, 'copying a folder'));
  }
  return entries;
}
