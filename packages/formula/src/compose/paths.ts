import { isAbsolute, resolve } from 'node:path';
import { isFileReference } from './loader.js';

/** Where a formula holds host paths; `*` is every item of a list. */
const HOST_PATHS: readonly (readonly string[])[] = [
  ['boot', 'kernel'],
  ['boot', 'initrd'],
  ['disks', '*', 'image'],
  ['shares', 'portal', 'source'],
  ['shares', 'folders', '*', 'source'],
  ['provisioning', 'scripts', '*', 'file'],
];
/** Where it holds formula references: only file references are paths, not catalog names. */
const REFERENCE_PATHS: readonly (readonly string[])[] = [['children', '*', 'formula']];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A copy of `value` with `update` applied at `path` wherever the path exists. */
function updateAt(
  value: unknown,
  path: readonly string[],
  update: (v: unknown) => unknown,
): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return update(value);
  if (head === '*')
    return Array.isArray(value) ? value.map((item) => updateAt(item, rest, update)) : value;
  if (!isRecord(value) || !(head in value)) return value;
  return { ...value, [head]: updateAt(value[head], rest, update) };
}

/**
 * Host paths and file references in a formula are relative to the file that writes them.
 * Merging loses which file that was, so each document's paths are made absolute first. `~` paths stay as they are:
 * they belong to the host that runs the portal.
 */
export function absolutizeHostPaths(
  value: Record<string, unknown>,
  dir: string,
): Record<string, unknown> {
  const absolute = (path: unknown) =>
    typeof path === 'string' && path !== '' && !isAbsolute(path) && !path.startsWith('~')
      ? resolve(dir, path)
      : path;
  let out: unknown = value;
  for (const path of HOST_PATHS) out = updateAt(out, path, absolute);
  for (const path of REFERENCE_PATHS) {
    out = updateAt(out, path, (ref) =>
      typeof ref === 'string' && isFileReference(ref) ? absolute(ref) : ref,
    );
  }
  return out as Record<string, unknown>;
}
