import type { BigIntStats } from 'node:fs';
import { Mode } from '../protocol/constants.js';
import type { Attr, Timespec } from '../server/filesystem.js';
import type { InodeMetadata } from './metadata.js';
import { qidOf } from './mode.js';
import { timespecFromNs } from './time.js';

export type SecurityModel = 'passthrough' | 'mapped' | 'squash';

export interface AttrPolicy {
  security: SecurityModel;
  squashUid: number;
  squashGid: number;
}

export function inodeKey(st: BigIntStats): string {
  return `${st.dev}:${st.ino}`;
}

/** Host stat -> what the client sees, after the security model's overlay. */
export function attrOf(st: BigIntStats, policy: AttrPolicy, meta: InodeMetadata | undefined): Attr {
  let mode = Number(st.mode);
  let uid = Number(st.uid);
  let gid = Number(st.gid);
  let rdev = st.rdev;
  if (policy.security === 'squash') {
    uid = policy.squashUid;
    gid = policy.squashGid;
  } else if (policy.security === 'mapped') {
    if (meta?.uid !== undefined) uid = meta.uid;
    if (meta?.gid !== undefined) gid = meta.gid;
    if (meta?.mode !== undefined) {
      // Keep the host's type unless the stored one is a special file emulated by a regular file.
      const hostType = mode & Mode.IFMT;
      const storedType = meta.mode & Mode.IFMT;
      mode =
        hostType === Mode.IFREG && storedType !== 0 ? meta.mode : hostType | (meta.mode & 0o7777);
    }
    if (meta?.rdev !== undefined) rdev = BigInt(meta.rdev);
  }
  const ts = (ns: bigint): Timespec => timespecFromNs(ns);
  return {
    qid: qidOf(mode, st.ino),
    mode,
    uid,
    gid,
    nlink: st.nlink,
    rdev,
    size: st.size,
    blksize: st.blksize,
    blocks: st.blocks,
    atime: ts(st.atimeNs),
    mtime: ts(st.mtimeNs),
    ctime: ts(st.ctimeNs),
    btime: ts(st.birthtimeNs),
    gen: 0n,
    dataVersion: 0n,
  };
}
