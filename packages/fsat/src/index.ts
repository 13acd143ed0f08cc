// @multiverse-os/fsat: descriptor-relative filesystem calls for Node on Linux.

export type { FsatBinding, FsatConstants } from './binding.js';
// The raw system calls: -errno results, no exceptions, for hot paths.
export { ADDON_PATH_ENV, loadFsat } from './binding.js';
// A directory and everything beneath it, confined by the kernel (openat2 RESOLVE_BENEATH).
export { Dir, type DirOptions, type TimeToSet } from './dir.js';
// What stat and readdir return.
export type { Dirent } from './dirent.js';
export { parseDirents } from './dirent.js';
// Errors.
export { check, errnoName, FsatAddonError, FsatError, FsatSystemError } from './errors.js';
export type { FileType, Stat, Timespec } from './stat.js';
export { decodeStat, fileTypeOfMode, STAT_BUFFER_LENGTH, StatField } from './stat.js';
