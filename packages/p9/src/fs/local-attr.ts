import { StatField } from '@multiverse-os/fsat';
import { Mode } from '../protocol/constants.js';
import type { Attr, Timespec } from '../server/filesystem.js';
import { inoOf } from './local-host.js';
import type { MappedMeta } from './local-mapped.js';
import { makedev, qidOf } from './mode.js';

export type SecurityModel = 'passthrough' | 'mapped' | 'squash';

export interface AttrPolicy {
  security: SecurityModel;
  squashUid: number;
  squashGid: number;
}

/**
 * The mode the client sees under `mapped`: the stored one, except that a stored type only
 * replaces the host's on a regular file (how special files and symlinks are kept); a real
 * directory or symlink stays one whatever its attributes say.
 */
export function mappedMode(hostMode: number, stored: number | undefined): number {
  if (stored === undefined) return hostMode;
  const hostType = hostMode & Mode.IFMT;
  const storedType = stored & Mode.IFMT;
  return hostType === Mode.IFREG && storedType !== 0 ? stored : hostType | (stored & 0o7777);
}

function time(st: BigInt64Array, sec: number, nsec: number): Timespec {
  return { sec: st[sec] as bigint, nsec: st[nsec] as bigint };
}

/** Host statx buffer -> what the client sees, after the security model's overlay. */
export function attrOf(st: BigInt64Array, policy: AttrPolicy, meta: MappedMeta | undefined): Attr {
  const f = StatField;
  let mode = Number(st[f.mode]);
  let uid = Number(st[f.uid]);
  let gid = Number(st[f.gid]);
  let rdev = makedev(Number(st[f.rdevMajor]), Number(st[f.rdevMinor]));
  if (policy.security === 'squash') {
    uid = policy.squashUid;
    gid = policy.squashGid;
  } else if (meta) {
    if (meta.uid !== undefined) uid = meta.uid;
    if (meta.gid !== undefined) gid = meta.gid;
    mode = mappedMode(mode, meta.mode);
    if (meta.rdev !== undefined) rdev = meta.rdev;
  }
  const ino = inoOf(st);
  return {
    qid: qidOf(mode, ino),
    mode,
    uid,
    gid,
    nlink: st[f.nlink] as bigint,
    rdev,
    size: BigInt.asUintN(64, st[f.size] as bigint),
    blksize: st[f.blksize] as bigint,
    blocks: BigInt.asUintN(64, st[f.blocks] as bigint),
    atime: time(st, f.atimeSec, f.atimeNsec),
    mtime: time(st, f.mtimeSec, f.mtimeNsec),
    ctime: time(st, f.ctimeSec, f.ctimeNsec),
    btime: time(st, f.btimeSec, f.btimeNsec),
    gen: 0n,
    dataVersion: 0n,
  };
}
