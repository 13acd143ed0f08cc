import { readFileSync } from 'node:fs';
import { Dir } from '@multiverse-os/fsat';
import { InvalidOptionError } from '../errors.js';
import { loadHost, ok } from './local-host.js';
import { writeMapped } from './local-mapped.js';
import { makedev } from './mode.js';

/** One entry of the JSON side file the `mapped` model kept before 0.2 (`metadataFile`). */
interface SideFileEntry {
  uid?: number;
  gid?: number;
  mode?: number;
  rdev?: string;
  xattrs?: Record<string, string>;
}

/** What `importMetadataFile` did. */
export interface MetadataImport {
  /** Inodes whose owners, modes and xattrs now live in their extended attributes. */
  imported: number;
  /** Export-relative paths left as they were: symlinks cannot carry user xattrs. */
  skipped: string[];
  /** Side-file entries for inodes no longer in the export (deleted since). */
  missing: number;
}

/**
 * Moves the entries of an old `mapped` JSON side file (keyed by `dev:ino`) into the files'
 * `user.virtfs.*` attributes (QEMU's mapped-xattr layout, which LocalFs now reads) and their
 * user xattrs onto the files themselves. Run it once, with no server on the export; the side
 * file is left for you to delete. Every path is opened beneath `root` (fsat's Dir), so a
 * symlink in the tree never leads the import outside it.
 */
export function importMetadataFile(root: string, file: string): MetadataImport {
  let entries: Record<string, SideFileEntry>;
  try {
    entries = JSON.parse(readFileSync(file, 'utf8')) as Record<string, SideFileEntry>;
  } catch (cause) {
    throw new InvalidOptionError('file', `cannot read the metadata file ${file}: ${String(cause)}`);
  }
  if (typeof entries !== 'object' || entries === null || Array.isArray(entries)) {
    throw new InvalidOptionError('file', `${file} is not a LocalFs metadata file (a JSON object)`);
  }
  const h = loadHost();
  const c = h.c;
  const result: MetadataImport = { imported: 0, skipped: [], missing: 0 };
  const done = new Set<string>();
  const visit = (dir: Dir, path: string) => {
    for (const entry of dir.readdir()) {
      const rel = path === '' ? entry.name : `${path}/${entry.name}`;
      const st = dir.tryStat(entry.name);
      if (!st) continue;
      const key = `${makedev(st.dev.major, st.dev.minor)}:${st.ino}`;
      const meta = entries[key];
      if (meta && !done.has(key)) {
        done.add(key);
        if (st.type === 'symlink') result.skipped.push(rel);
        else {
          const fd = dir.open(entry.name, c.O_PATH | c.O_NOFOLLOW);
          try {
            writeMapped(h, fd, {
              uid: meta.uid,
              gid: meta.gid,
              mode: meta.mode,
              rdev: meta.rdev === undefined ? undefined : BigInt(meta.rdev),
            });
            for (const [name, value] of Object.entries(meta.xattrs ?? {})) {
              ok(h.at.fsetxattr(fd, name, Buffer.from(value, 'base64'), 0));
            }
          } finally {
            h.at.close(fd);
          }
          result.imported++;
        }
      }
      if (st.type === 'directory') {
        const sub = dir.dir(entry.name);
        try {
          visit(sub, rel);
        } finally {
          sub.close();
        }
      }
    }
  };
  const top = Dir.open(root);
  try {
    const rootStat = top.stat();
    const rootKey = `${makedev(rootStat.dev.major, rootStat.dev.minor)}:${rootStat.ino}`;
    visit(top, '');
    if (entries[rootKey]) {
      done.add(rootKey);
      const fd = top.open('', c.O_PATH);
      try {
        const meta = entries[rootKey];
        writeMapped(h, fd, { uid: meta.uid, gid: meta.gid, mode: meta.mode });
      } finally {
        h.at.close(fd);
      }
      result.imported++;
    }
  } finally {
    top.close();
  }
  result.missing = Object.keys(entries).filter((k) => !done.has(k)).length;
  return result;
}
