import { DirentType, Mode, QidType } from '../protocol/constants.js';
import type { Qid } from '../protocol/types.js';

export function qidTypeOfMode(mode: number): number {
  const fmt = mode & Mode.IFMT;
  if (fmt === Mode.IFDIR) return QidType.DIR;
  if (fmt === Mode.IFLNK) return QidType.SYMLINK;
  return QidType.FILE;
}

export function qidOf(mode: number, path: bigint, version = 0): Qid {
  return { type: qidTypeOfMode(mode), version, path };
}

export function direntTypeOfMode(mode: number): number {
  switch (mode & Mode.IFMT) {
    case Mode.IFDIR:
      return DirentType.DIR;
    case Mode.IFREG:
      return DirentType.REG;
    case Mode.IFLNK:
      return DirentType.LNK;
    case Mode.IFIFO:
      return DirentType.FIFO;
    case Mode.IFCHR:
      return DirentType.CHR;
    case Mode.IFBLK:
      return DirentType.BLK;
    case Mode.IFSOCK:
      return DirentType.SOCK;
    default:
      return DirentType.UNKNOWN;
  }
}

export const isDir = (mode: number): boolean => (mode & Mode.IFMT) === Mode.IFDIR;
export const isReg = (mode: number): boolean => (mode & Mode.IFMT) === Mode.IFREG;
export const isLnk = (mode: number): boolean => (mode & Mode.IFMT) === Mode.IFLNK;

/** glibc's makedev: the dev_t layout Linux uses in st_rdev and QEMU in user.virtfs.rdev. */
export function makedev(major: number, minor: number): bigint {
  const ma = BigInt(major >>> 0);
  const mi = BigInt(minor >>> 0);
  return (mi & 0xffn) | ((ma & 0xfffn) << 8n) | ((mi & ~0xffn) << 12n) | ((ma & ~0xfffn) << 32n);
}

/** The inverse of `makedev`. */
export function splitdev(dev: bigint): { major: number; minor: number } {
  return {
    major: Number(((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn & 0xffffffffn)),
    minor: Number((dev & 0xffn) | ((dev >> 12n) & ~0xffn & 0xffffffffn)),
  };
}
