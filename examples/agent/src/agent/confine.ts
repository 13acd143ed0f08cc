import { realpath } from 'node:fs/promises';
import { dirname, isAbsolute, resolve, sep } from 'node:path';
import { MethodError } from '../errors.js';

/**
 * Resolves `path` with symlinks followed (of the deepest part that exists) and checks it lies
 * under one of `roots`, also resolved. A link pointing out of a root is refused, like `..`.
 */
export async function confine(path: string, roots: readonly string[]): Promise<string> {
  if (!isAbsolute(path)) throw new MethodError('PATH', `${path}: not an absolute path`);
  if (roots.length === 0) throw new MethodError('PERMISSION', 'no file paths are allowed');
  const target = await resolveExisting(resolve(path));
  for (const root of roots) {
    const real = await resolveExisting(resolve(root));
    if (target === real || target.startsWith(real.endsWith(sep) ? real : real + sep)) return target;
  }
  throw new MethodError('PERMISSION', `${path}: outside the allowed paths`);
}

async function resolveExisting(path: string): Promise<string> {
  const missing: string[] = [];
  let current = path;
  for (;;) {
    try {
      const real = await realpath(current);
      return missing.length === 0 ? real : resolve(real, ...missing.reverse());
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      const parent = dirname(current);
      if (parent === current) return path;
      missing.push(current.slice(parent.length).replace(/^\//, ''));
      current = parent;
    }
  }
}
