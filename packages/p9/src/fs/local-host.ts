import {
  type FsatBinding,
  type FsatConstants,
  loadFsat,
  STAT_BUFFER_LENGTH,
  StatField,
} from '@multiverse-os/fsat';
import { FsError } from '../protocol/errno.js';

/**
 * The host calls LocalFs makes, on descriptors it holds (@multiverse-os/fsat): one system call
 * each, answering `-errno` instead of throwing, so a missing name costs a comparison and an
 * FsError without a stack, not a Node exception.
 */
export interface Host {
  readonly at: FsatBinding;
  readonly c: FsatConstants;
  /** openat2 resolve flags of every lookup: beneath the held directory, no /proc magic links. */
  readonly beneath: number;
  /**
   * The one statx buffer every call fills and reads before its next await (the event loop
   * runs one request step at a time, so no two calls can interleave on it).
   */
  readonly stat: BigInt64Array;
}

let host: Host | undefined;

/** Loads the addon once (throws FsatAddonError, naming the platform, where there is none). */
export function loadHost(): Host {
  if (host) return host;
  const at = loadFsat();
  const c = at.constants;
  host = {
    at,
    c,
    beneath: c.RESOLVE_BENEATH | c.RESOLVE_NO_MAGICLINKS,
    stat: new BigInt64Array(STAT_BUFFER_LENGTH),
  };
  return host;
}

/** The client's answer for a host call's `-errno` (Linux numbers are the wire's numbers). */
export function hostError(result: number): FsError {
  return new FsError(-result);
}

/** `result` when it is not an error; the host's errno as an FsError otherwise. */
export function ok(result: number): number {
  if (result < 0) throw hostError(result);
  return result;
}

/** statx of the object `fd` holds (O_PATH included) into `h.stat`. */
export function statFd(h: Host, fd: number): BigInt64Array {
  ok(h.at.statx(fd, '', h.c.AT_EMPTY_PATH | h.c.AT_SYMLINK_NOFOLLOW, h.stat));
  return h.stat;
}

/** statx of `name` in the directory `dirFd` (not following a symlink), or -errno. */
export function statAt(h: Host, dirFd: number, name: string): number {
  return h.at.statx(dirFd, name, h.c.AT_SYMLINK_NOFOLLOW, h.stat);
}

/** The host inode a statx buffer describes, as a map key (hard links share it). */
export function inodeKeyOf(st: BigInt64Array): string {
  return `${st[StatField.devMajor]}:${st[StatField.devMinor]}:${st[StatField.ino]}`;
}

export function modeOf(st: BigInt64Array): number {
  return Number(st[StatField.mode]);
}

export function inoOf(st: BigInt64Array): bigint {
  return BigInt.asUintN(64, st[StatField.ino] as bigint);
}

/**
 * A new descriptor with `flags` for the object an O_PATH descriptor holds. The kernel has one
 * way to reopen a descriptor: its /proc/self/fd/N magic link, which jumps to that very inode
 * (no name is looked up, so a renamed, moved or unlinked file is still the one reopened).
 * Only the number is formatted; no name is ever appended to it.
 */
export function reopen(h: Host, fd: number, flags: number): number {
  return h.at.openat2(h.c.AT_FDCWD, `/proc/self/fd/${fd}`, flags, 0, 0);
}

/** statfs(2) has no descriptor form in Node: the same magic link names the held object. */
export function procPathOf(fd: number): string {
  return `/proc/self/fd/${fd}`;
}

/** close(2) of a descriptor being released: a failure leaves nothing to undo. */
export function closeQuietly(h: Host, fd: number): void {
  h.at.close(fd);
}
