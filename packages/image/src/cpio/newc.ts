/**
 * The "newc" (SVR4, no checksum) cpio format: the one the Linux kernel unpacks as an
 * initramfs. Each entry is a 110-byte ASCII header, the NUL-terminated name padded to
 * 4 bytes, then the data padded to 4 bytes. An entry named `TRAILER!!!` ends the archive.
 *
 * Pure encoding, no I/O: the initramfs builder streams these buffers into gzip.
 */

export const S_IFMT = 0o170000;
export const S_IFDIR = 0o040000;
export const S_IFREG = 0o100000;
export const S_IFLNK = 0o120000;
export const S_IFCHR = 0o020000;

export interface NewcHeader {
  /** Path inside the archive, without a leading slash (`bin/busybox`). */
  name: string;
  ino: number;
  /** File type bits and permissions, as in `st_mode`. */
  mode: number;
  uid?: number;
  gid?: number;
  nlink?: number;
  mtime?: number;
  /** Size of the data that follows the header. */
  fileSize: number;
  devMajor?: number;
  devMinor?: number;
  rdevMajor?: number;
  rdevMinor?: number;
}

const MAGIC = '070701';
const HEADER_SIZE = 110;
const MAX_FIELD = 0xffffffff;

function hex8(value: number, field: string, name: string): string {
  if (!Number.isInteger(value) || value < 0 || value > MAX_FIELD) {
    throw new RangeError(`cpio entry "${name}": ${field} ${value} does not fit in 32 bits`);
  }
  return value.toString(16).padStart(8, '0');
}

/** Bytes needed to pad `length` up to a multiple of 4. */
export function newcPadding(length: number): number {
  return (4 - (length % 4)) % 4;
}

/** Encodes one header with its name and the padding after the name. */
export function encodeNewcHeader(header: NewcHeader): Buffer {
  const nameBytes = Buffer.from(`${header.name}\0`, 'utf8');
  const fields = [
    hex8(header.ino, 'ino', header.name),
    hex8(header.mode, 'mode', header.name),
    hex8(header.uid ?? 0, 'uid', header.name),
    hex8(header.gid ?? 0, 'gid', header.name),
    hex8(header.nlink ?? ((header.mode & S_IFMT) === S_IFDIR ? 2 : 1), 'nlink', header.name),
    hex8(header.mtime ?? 0, 'mtime', header.name),
    hex8(header.fileSize, 'filesize', header.name),
    hex8(header.devMajor ?? 0, 'devmajor', header.name),
    hex8(header.devMinor ?? 0, 'devminor', header.name),
    hex8(header.rdevMajor ?? 0, 'rdevmajor', header.name),
    hex8(header.rdevMinor ?? 0, 'rdevminor', header.name),
    hex8(nameBytes.length, 'namesize', header.name),
    hex8(0, 'check', header.name),
  ];
  const head = Buffer.from(MAGIC + fields.join(''), 'ascii');
  const padding = Buffer.alloc(newcPadding(HEADER_SIZE + nameBytes.length));
  return Buffer.concat([head, nameBytes, padding]);
}

/** The entry that closes an archive. */
export function encodeNewcTrailer(ino = 0): Buffer {
  return encodeNewcHeader({ name: 'TRAILER!!!', ino, mode: 0, nlink: 1, fileSize: 0 });
}
