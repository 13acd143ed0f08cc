import { createReadStream } from 'node:fs';
import {
  encodeNewcHeader,
  encodeNewcTrailer,
  newcPadding,
  S_IFCHR,
  S_IFDIR,
  S_IFLNK,
  S_IFREG,
} from './newc.js';

/** One entry of an archive; the file's data comes from memory or from a host file. */
export type CpioEntry =
  | { type: 'directory'; path: string; mode?: number }
  | { type: 'file'; path: string; mode?: number; data: Buffer }
  | { type: 'host-file'; path: string; mode?: number; source: string; size: number }
  | { type: 'symlink'; path: string; target: string }
  | { type: 'char-device'; path: string; mode?: number; major: number; minor: number };

/**
 * Yields the bytes of a newc archive for `entries`, in order, reading host files as
 * streams so a 100 MB binary never sits in memory whole. Parents must come before children
 * (the kernel's unpacker does not create missing directories).
 */
export async function* cpioArchive(entries: Iterable<CpioEntry>): AsyncGenerator<Buffer> {
  let ino = 1;
  for (const entry of entries) {
    const name = entry.path.replace(/^\/+/, '');
    const base = { name, ino: ino++, mtime: 0 };
    switch (entry.type) {
      case 'directory':
        yield encodeNewcHeader({ ...base, mode: S_IFDIR | (entry.mode ?? 0o755), fileSize: 0 });
        break;
      case 'file':
        yield encodeNewcHeader({
          ...base,
          mode: S_IFREG | (entry.mode ?? 0o644),
          fileSize: entry.data.length,
        });
        yield entry.data;
        yield Buffer.alloc(newcPadding(entry.data.length));
        break;
      case 'host-file': {
        yield encodeNewcHeader({
          ...base,
          mode: S_IFREG | (entry.mode ?? 0o644),
          fileSize: entry.size,
        });
        let copied = 0;
        for await (const chunk of createReadStream(entry.source)) {
          copied += (chunk as Buffer).length;
          yield chunk as Buffer;
        }
        if (copied !== entry.size) {
          // The header already promised `size` bytes: a file that changed while we copied
          // would corrupt every entry after it, so refuse rather than emit a broken archive.
          throw new Error(`${entry.source} changed size while being archived`);
        }
        yield Buffer.alloc(newcPadding(entry.size));
        break;
      }
      case 'symlink': {
        const data = Buffer.from(entry.target, 'utf8');
        yield encodeNewcHeader({ ...base, mode: S_IFLNK | 0o777, fileSize: data.length });
        yield data;
        yield Buffer.alloc(newcPadding(data.length));
        break;
      }
      case 'char-device':
        yield encodeNewcHeader({
          ...base,
          mode: S_IFCHR | (entry.mode ?? 0o600),
          fileSize: 0,
          rdevMajor: entry.major,
          rdevMinor: entry.minor,
        });
        break;
    }
  }
  yield encodeNewcTrailer();
}
