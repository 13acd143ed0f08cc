import { isAbsolute, resolve } from 'node:path';

type Value = Record<string, unknown>;

function isRecord(value: unknown): value is Value {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function absolute(path: unknown, dir: string): unknown {
  if (typeof path !== 'string' || path === '' || isAbsolute(path) || path.startsWith('~')) {
    return path;
  }
  return resolve(dir, path);
}

function mapItems(list: unknown, key: string, dir: string): unknown {
  if (!Array.isArray(list)) return list;
  return list.map((item) => (isRecord(item) ? { ...item, [key]: absolute(item[key], dir) } : item));
}

/**
 * Host paths in a formula are relative to the file that writes them. Merging loses which file
 * that was, so each document's host paths are made absolute first. `~` paths stay as they are:
 * they belong to the host that runs the portal.
 */
export function absolutizeHostPaths(value: Value, dir: string): Value {
  const out: Value = { ...value };
  const boot = out['boot'];
  if (isRecord(boot)) {
    out['boot'] = {
      ...boot,
      kernel: absolute(boot['kernel'], dir),
      initrd: absolute(boot['initrd'], dir),
    };
    if (boot['kernel'] === undefined) delete (out['boot'] as Value)['kernel'];
    if (boot['initrd'] === undefined) delete (out['boot'] as Value)['initrd'];
  }
  out['disks'] = mapItems(out['disks'], 'image', dir);
  const shares = out['shares'];
  if (isRecord(shares)) {
    const portal = shares['portal'];
    out['shares'] = {
      ...shares,
      ...(isRecord(portal) && portal['source'] !== undefined
        ? { portal: { ...portal, source: absolute(portal['source'], dir) } }
        : {}),
      ...(shares['folders'] === undefined
        ? {}
        : { folders: mapItems(shares['folders'], 'source', dir) }),
    };
  }
  const provisioning = out['provisioning'];
  if (isRecord(provisioning) && Array.isArray(provisioning['scripts'])) {
    out['provisioning'] = {
      ...provisioning,
      scripts: provisioning['scripts'].map((s) =>
        isRecord(s) && s['file'] !== undefined ? { ...s, file: absolute(s['file'], dir) } : s,
      ),
    };
  }
  for (const key of ['disks'] as const) if (out[key] === undefined) delete out[key];
  return out;
}
