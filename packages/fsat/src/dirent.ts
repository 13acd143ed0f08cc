import type { FileType } from './stat.js';

/** One directory entry as getdents64(2) returns it. */
export interface Dirent {
  name: string;
  ino: bigint;
  type: FileType;
  /**
   * The directory offset just past this entry (d_off): seek there (`lseek`) to continue
   * after it. An opaque cookie on most filesystems (a hash on ext4), not an index.
   */
  offset: bigint;
}

// d_type values (DT_*).
const typeByDtype: readonly FileType[] = [];
for (const [dtype, type] of [
  [1, 'fifo'],
  [2, 'char-device'],
  [4, 'directory'],
  [6, 'block-device'],
  [8, 'file'],
  [10, 'symlink'],
  [12, 'socket'],
] as const) {
  (typeByDtype as FileType[])[dtype] = type;
}

/** Fixed part of a linux_dirent64: d_ino (8), d_off (8), d_reclen (2), d_type (1). */
const HEADER = 19;

/**
 * Parses the records getdents64 wrote into `bytes[0, length)`. Pure: every length is
 * checked against the buffer, so a short or corrupt buffer yields the entries before the
 * damage and throws `RangeError` naming the offset, never reads out of bounds.
 * `.` and `..` are left in: callers that do not want them filter by name.
 */
export function parseDirents(bytes: Uint8Array, length: number = bytes.length): Dirent[] {
  if (length > bytes.length)
    throw new RangeError(`dirent length ${length} > buffer ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, length);
  const decoder = new TextDecoder();
  const entries: Dirent[] = [];
  let at = 0;
  while (at < length) {
    if (at + HEADER > length) throw new RangeError(`truncated dirent at byte ${at}`);
    const reclen = view.getUint16(at + 16, true);
    if (reclen <= HEADER || at + reclen > length) {
      throw new RangeError(`bad dirent record length ${reclen} at byte ${at}`);
    }
    const nameEnd = bytes.indexOf(0, at + HEADER);
    if (nameEnd < 0 || nameEnd >= at + reclen) {
      throw new RangeError(`dirent name without its NUL at byte ${at}`);
    }
    entries.push({
      ino: view.getBigUint64(at, true),
      offset: view.getBigInt64(at + 8, true),
      type: typeByDtype[view.getUint8(at + 18)] ?? 'unknown',
      name: decoder.decode(bytes.subarray(at + HEADER, nameEnd)),
    });
    at += reclen;
  }
  return entries;
}
