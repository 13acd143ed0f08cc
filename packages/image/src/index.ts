// Initramfs: build tiny bootable guests from the host's Debian packages.

export { encodeNewcHeader, encodeNewcTrailer, type NewcHeader } from './cpio/newc.js';
// cpio newc, the archive format of an initramfs.
export { type CpioEntry, cpioArchive } from './cpio/writer.js';
// Errors.
export {
  GuestExitedError,
  GuestTimeoutError,
  HostFileNotFoundError,
  ImageError,
  type ImageErrorCode,
  InvalidOptionError,
  KernelNotFoundError,
  ModuleNotFoundError,
  QemuNotFoundError,
} from './errors.js';
// Booting guests under QEMU.
export { type BootGuestOptions, bootGuest, Guest, type GuestExit } from './guest/boot.js';
export {
  ConsoleTranscript,
  type OutputMatch,
  type WaitForOutputOptions,
} from './guest/console-transcript.js';
export {
  type Accelerator,
  type GuestForward,
  type GuestMachineOptions,
  type GuestNetwork,
  type GuestShare,
  type HostForward,
  type QemuArgsOptions,
  qemuArgs,
} from './guest/qemu-args.js';
export {
  type BuildInitramfsOptions,
  buildInitramfs,
  type Initramfs,
  type InitramfsDirectory,
  type InitramfsFile,
  planInitramfs,
} from './initramfs/build.js';
export { cacheKey, defaultCacheDir } from './initramfs/cache.js';
export { sharedLibraries } from './initramfs/host-files.js';
export { type AfterInit, INIT_MARKERS, renderInitScript } from './initramfs/init-script.js';
export {
  type ModuleIndex,
  moduleNameFromPath,
  parseModuleIndex,
  resolveModuleLoadOrder,
} from './initramfs/modules.js';
// Kernel.
export { type FindKernelOptions, findKernel, type Kernel } from './kernel.js';
