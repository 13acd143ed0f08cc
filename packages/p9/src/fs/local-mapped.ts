import { type Host, hostError, ok } from './local-host.js';

/**
 * What the `mapped` model keeps per inode, in the extended attributes QEMU's virtio-9p
 * `security_model=mapped-xattr` uses (hw/9pfs/9p-local.c), so one folder shows the same
 * owners through either server:
 *
 * | xattr | value |
 * | --- | --- |
 * | `user.virtfs.uid`, `user.virtfs.gid` | uint32, little-endian (QEMU's cpu_to_le32) |
 * | `user.virtfs.mode` | uint32 LE: the whole st_mode, type bits included |
 * | `user.virtfs.rdev` | uint64 LE: a glibc dev_t (makedev) |
 *
 * Absent attributes leave the host's value visible. They live on the inode, so hard links
 * share them, renames keep them and an unlink of the last link drops them.
 */
export interface MappedMeta {
  uid?: number;
  gid?: number;
  /** Full mode including the type (special files and symlinks are regular files on the host). */
  mode?: number;
  rdev?: bigint;
}

export const VIRTFS_PREFIX = 'user.virtfs.';
const UID = 'user.virtfs.uid';
const GID = 'user.virtfs.gid';
const MODE = 'user.virtfs.mode';
const RDEV = 'user.virtfs.rdev';
const ENODATA = -61;

// One value buffer for every read: filled and decoded with no await in between.
const value = Buffer.alloc(8);

function readUint32(h: Host, fd: number, name: string): number | undefined {
  const n = h.at.fgetxattr(fd, name, value);
  if (n === 4) return value.readUInt32LE(0);
  if (n === ENODATA || n >= 0) return undefined; // a value of another size is not QEMU's
  if (n === -34 /* ERANGE: larger than ours */ || n === -95 /* EOPNOTSUPP */) return undefined;
  throw hostError(n);
}

/** The stored owner and mode of the object `fd` holds (O_PATH descriptors included). */
export function readMapped(h: Host, fd: number): MappedMeta {
  const meta: MappedMeta = {};
  const uid = readUint32(h, fd, UID);
  if (uid !== undefined) meta.uid = uid;
  const gid = readUint32(h, fd, GID);
  if (gid !== undefined) meta.gid = gid;
  const mode = readUint32(h, fd, MODE);
  if (mode !== undefined) {
    meta.mode = mode;
    const fmt = mode & 0o170000;
    if (fmt === 0o020000 || fmt === 0o060000) {
      const n = h.at.fgetxattr(fd, RDEV, value);
      if (n === 8) meta.rdev = value.readBigUInt64LE(0);
      else if (n === 4) meta.rdev = BigInt(value.readUInt32LE(0));
    }
  }
  return meta;
}

/** Only the stored mode (cheaper than `readMapped` where owners do not matter). */
export function readMappedMode(h: Host, fd: number): number | undefined {
  return readUint32(h, fd, MODE);
}

/** Stores the given fields (others are left as they are). */
export function writeMapped(h: Host, fd: number, meta: MappedMeta): void {
  const out = Buffer.alloc(8);
  const put32 = (name: string, v: number) => {
    out.writeUInt32LE(v >>> 0, 0);
    ok(h.at.fsetxattr(fd, name, out.subarray(0, 4), 0));
  };
  if (meta.uid !== undefined) put32(UID, meta.uid);
  if (meta.gid !== undefined) put32(GID, meta.gid);
  if (meta.mode !== undefined) put32(MODE, meta.mode);
  if (meta.rdev !== undefined) {
    out.writeBigUInt64LE(BigInt.asUintN(64, meta.rdev), 0);
    ok(h.at.fsetxattr(fd, RDEV, out, 0));
  }
}
