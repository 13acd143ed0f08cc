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
