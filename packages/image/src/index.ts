// Initramfs: build tiny bootable guests from the host's Debian packages.

export { encodeNewcHeader, encodeNewcTrailer, type NewcHeader } from './cpio/newc.js';
// cpio newc, the archive format of an initramfs.
export { type CpioEntry, cpioArchive } from './cpio/writer.js';
// Errors.
export {
  DigestMismatchError,
  GuestExitedError,
  GuestTimeoutError,
  HostFileNotFoundError,
  ImageBuildError,
  ImageError,
  type ImageErrorCode,
  ImageFetchError,
  InvalidOptionError,
  KernelNotFoundError,
  ModuleNotFoundError,
  QemuNotFoundError,
  ToolNotFoundError,
  UnbuildableFormulaError,
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
// OS images: Debian root file systems built with mmdebstrap, cached by their inputs.
export {
  type BuildOsImageOptions,
  type BuiltOsImage,
  buildOsImage,
  buildToolVersions,
  DEFAULT_BUILD_TIMEOUT_MS,
  osImageStore,
} from './os-image/build.js';
export { agentDigest, osImageCacheKey, type ToolVersions } from './os-image/cache-key.js';
export { type CommandIo, runOsImageCommand } from './os-image/commands.js';
export {
  DEFAULT_FETCH_MAX_BYTES,
  type FetchedImage,
  type FetchImageOptions,
  fetchImage,
  hostImageArch,
  type ImageArch,
  type ImageLocation,
  parseDigest,
  selectImage,
} from './os-image/fetch.js';
export {
  type FormulaForImage,
  type FormulaImagePlan,
  imagePlanForFormula,
  imagePlansForFormulaTree,
  type UnbuildableCode,
} from './os-image/formula.js';
export { installOsImage } from './os-image/install.js';
export {
  AGENT_FW_CFG_NAME,
  AGENT_SERVICE,
  customizeHook,
  GUEST_AGENT_CONFIG,
  mmdebstrapArgs,
} from './os-image/plan.js';
export { type BuildProgress, progressPrinter } from './os-image/progress.js';
export {
  type AgentInstall,
  BASE_PACKAGES,
  DEBIAN_COMPONENTS,
  DEBIAN_SUITES,
  type DebianComponent,
  type DebianImageRecipe,
  type DebianSuite,
  type NormalizedRecipe,
  normalizeRecipe,
  RECIPE_VERSION,
} from './os-image/recipe.js';
export {
  type OsImage,
  type OsImageEntry,
  type OsImageManifest,
  OsImageStore,
  type PruneOptions,
  type PruneResult,
} from './os-image/store.js';
