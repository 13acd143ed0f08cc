import { posix } from 'node:path';
import { Dir, FsatError } from '@multiverse-os/fsat';
import { AgentError, MethodError } from '../errors.js';

/** An allowed root that contains a requested path, and the rest of the path below it. */
export interface RootMatch {
  root: string;
  /** Relative to `root`, no `.` or `..` in it; `''` is the root itself. */
  rel: string;
}

/** `/a/b/` and `/a//b` as `/a/b`; `/` stays `/`. */
function canonical(path: string): string {
  const normal = posix.normalize(path);
  return normal.length > 1 ? normal.replace(/\/+$/, '') : normal;
}

/**
 * The allowed roots that contain `path`, most specific first, decided on the text alone:
 * `.` and `..` are normalised away first, so a path that climbs out of every root is refused
 * here, and what reaches the kernel is a relative rest without `..`. Symlinks are not looked
 * at: the kernel resolves them beneath the root (see `beneathRoot`).
 */
export function rootsContaining(path: string, roots: readonly string[]): RootMatch[] {
  if (!posix.isAbsolute(path)) throw new MethodError('PATH', `${path}: not an absolute path`);
  if (roots.length === 0) throw new MethodError('PERMISSION', 'no file paths are allowed');
  const target = canonical(path);
  const matches: RootMatch[] = [];
  for (const root of new Set(roots.map(canonical))) {
    const prefix = root === '/' ? '/' : `${root}/`;
    if (target === root) matches.push({ root, rel: '' });
    else if (target.startsWith(prefix)) matches.push({ root, rel: target.slice(prefix.length) });
  }
  if (matches.length === 0)
    throw new MethodError('PERMISSION', `${path}: outside the allowed paths`);
  return matches.sort((a, b) => b.root.length - a.root.length);
}

function errnoCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? code : undefined;
}

/**
 * A filesystem failure on `path` as the MethodError the host sees: a refusal (a link out of
 * the root, no permission) is PERMISSION, anything else about the path is PATH. Messages name
 * the path and the errno, never file content. Agent errors (a closed channel, a cancelled
 * call) pass through as they are.
 */
export function fileError(path: string, error: unknown): AgentError {
  if (error instanceof AgentError) return error;
  const code = errnoCode(error);
  switch (code) {
    case 'EXDEV':
      return new MethodError(
        'PERMISSION',
        `${path}: leads outside the allowed paths (a symlink out of its root)`,
        { cause: error },
      );
    case 'ELOOP':
      return new MethodError('PATH', `${path}: ELOOP (a symlink loop or a /proc magic link)`, {
        cause: error,
      });
    case 'EACCES':
    case 'EPERM':
      return new MethodError('PERMISSION', `${path}: ${code}`, { cause: error });
    case undefined:
      // The fsat addon missing (ERR_FSAT_ADDON) or a bug: the host sees INTERNAL.
      return new MethodError(
        'INTERNAL',
        `${path}: ${error instanceof FsatError ? error.message : String(error)}`,
        { cause: error },
      );
    default:
      return new MethodError('PATH', `${path}: ${code}`, { cause: error });
  }
}

/**
 * Runs `use` on the allowed root that contains `path`, held as a `Dir`, with the rest of the
 * path relative to it: everything `use` opens through the `Dir` is resolved by the kernel
 * beneath that root (openat2 RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS), in one step, so no
 * symlink (dangling, swapped in mid-call, absolute or `..`) can lead out of it; there is no
 * check that a later open could miss. When roots nest, the most specific one is tried first
 * and a link out of it (EXDEV) may still resolve beneath an enclosing root.
 *
 * The root is opened per call, not cached: a share mounted on a root after the agent started
 * (the portal's 9P mount) must be what the host reaches, not the directory under it. A root
 * is trusted as configured (a symlink as a root is followed); only what is below it is not.
 * Failures become MethodErrors naming `path` (see `fileError`).
 */
export async function beneathRoot<T>(
  path: string,
  roots: readonly string[],
  use: (dir: Dir, rel: string) => T | Promise<T>,
): Promise<T> {
  const matches = rootsContaining(path, roots);
  let failure: unknown;
  for (const [index, { root, rel }] of matches.entries()) {
    const last = index === matches.length - 1;
    let dir: Dir;
    try {
      dir = Dir.open(root);
    } catch (error) {
      failure = error;
      if (last) break;
      continue;
    }
    try {
      return await use(dir, rel);
    } catch (error) {
      failure = error;
      if (last || errnoCode(error) !== 'EXDEV') break;
    } finally {
      dir.close();
    }
  }
  throw fileError(path, failure);
}
