/** What a directory entry or a stat names: the S_IFMT kinds. */
export type FileType =
  | 'file'
  | 'directory'
  | 'symlink'
  | 'fifo'
  | 'socket'
  | 'char-device'
  | 'block-device'
  | 'unknown';

const S_IFMT = 0o170000;
const typeByFormat = new Map<number, FileType>([
  [0o100000, 'file'],
  [0o040000, 'directory'],
  [0o120000, 'symlink'],
  [0o010000, 'fifo'],
  [0o140000, 'socket'],
  [0o020000, 'char-device'],
  [0o060000, 'block-device'],
]);

/** The kind a `st_mode` names. */
export function fileTypeOfMode(mode: number): FileType {
  return typeByFormat.get(mode & S_IFMT) ?? 'unknown';
}

/** A timestamp exactly as the kernel keeps it: whole seconds and nanoseconds. */
export interface Timespec {
  sec: number;
  nsec: number;
}

/** statx(2)'s answer. Inode numbers and sizes are bigints: they are 64-bit on disk. */
export interface Stat {
  type: FileType;
  /** st_mode: type and permission bits. */
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  ino: bigint;
  size: bigint;
  /** 512-byte blocks allocated. */
  blocks: bigint;
  blksize: number;
  rdev: { major: number; minor: number };
  dev: { major: number; minor: number };
  atime: Timespec;
  mtime: Timespec;
  ctime: Timespec;
  /** Creation time, where the filesystem keeps one. */
  birthtime?: Timespec;
}

/** Positions in the BigInt64Array the addon's statx fills (native/fsat.c keeps the same order). */
export const StatField = {
  mask: 0,
  mode: 1,
  nlink: 2,
  uid: 3,
  gid: 4,
  ino: 5,
  size: 6,
  blocks: 7,
  blksize: 8,
  rdevMajor: 9,
  rdevMinor: 10,
  devMajor: 11,
  devMinor: 12,
  atimeSec: 13,
  atimeNsec: 14,
  mtimeSec: 15,
  mtimeNsec: 16,
  ctimeSec: 17,
  ctimeNsec: 18,
  btimeSec: 19,
  btimeNsec: 20,
} as const;

/** Entries a statx buffer needs (`new BigInt64Array(STAT_BUFFER_LENGTH)`). */
export const STAT_BUFFER_LENGTH = 21;
const STATX_BTIME = 0x800n;

function time(buffer: BigInt64Array, sec: number, nsec: number): Timespec {
  return { sec: Number(buffer[sec]), nsec: Number(buffer[nsec]) };
}

/** Reads a statx buffer filled by the addon into a `Stat`. */
export function decodeStat(buffer: BigInt64Array): Stat {
  const f = StatField;
  const mode = Number(buffer[f.mode]);
  const uint64 = (index: number) => BigInt.asUintN(64, buffer[index] as bigint);
  const stat: Stat = {
    type: fileTypeOfMode(mode),
    mode,
    nlink: Number(buffer[f.nlink]),
    uid: Number(buffer[f.uid]),
    gid: Number(buffer[f.gid]),
    ino: uint64(f.ino),
    size: uint64(f.size),
    blocks: uint64(f.blocks),
    blksize: Number(buffer[f.blksize]),
    rdev: { major: Number(buffer[f.rdevMajor]), minor: Number(buffer[f.rdevMinor]) },
    dev: { major: Number(buffer[f.devMajor]), minor: Number(buffer[f.devMinor]) },
    atime: time(buffer, f.atimeSec, f.atimeNsec),
    mtime: time(buffer, f.mtimeSec, f.mtimeNsec),
    ctime: time(buffer, f.ctimeSec, f.ctimeNsec),
  };
  if (((buffer[f.mask] as bigint) & STATX_BTIME) !== 0n) {
    stat.birthtime = time(buffer, f.btimeSec, f.btimeNsec);
  }
  return stat;
}
