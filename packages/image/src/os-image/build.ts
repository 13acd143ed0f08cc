import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join, posix } from 'node:path';
import { ImageBuildError, InvalidOptionError } from '../errors.js';
import { defaultCacheDir } from '../initramfs/cache.js';
import { agentDigest, osImageCacheKey, type ToolVersions } from './cache-key.js';
import {
  AGENT_SERVICE,
  agentUnit,
  type BuildPaths,
  customizeHook,
  ESSENTIAL_HOOK,
  LOAD_AGENT_CONFIG,
  mmdebstrapArgs,
} from './plan.js';
import type { BuildProgress } from './progress.js';
import { type DebianImageRecipe, normalizeRecipe } from './recipe.js';
import { requireTool, runStep, toolVersion } from './run-step.js';
import {
  INITRD_FILE,
  KERNEL_FILE,
  MANIFEST_FILE,
  type OsImage,
  type OsImageManifest,
  OsImageStore,
  ROOTFS_FILE,
  removeBuildDir,
} from './store.js';

/** Default bound on the whole mmdebstrap run (download, install, hooks, mkfs). */
export const DEFAULT_BUILD_TIMEOUT_MS = 40 * 60_000;
/** Default bound on `qemu-img convert`. */
export const DEFAULT_CONVERT_TIMEOUT_MS = 10 * 60_000;

export interface BuildOsImageOptions {
  /** Cache root; images go in `<cacheDir>/os-images`. Default as for initramfs archives. */
  cacheDir?: string;
  /**
   * mmdebstrap's mode. `unshare` (default) runs in its own mount namespace (as root, without a
   * user namespace): no mounts on the host, nothing left mounted if the build is killed.
   * `root` needs no namespaces and mounts /dev, /proc and /sys in the chroot while it runs.
   */
  mode?: 'unshare' | 'root';
  /** Bound on mmdebstrap; default 40 minutes. */
  timeoutMs?: number;
  signal?: AbortSignal;
  onProgress?: (event: BuildProgress) => void;
}

export interface BuiltOsImage {
  image: OsImage;
  /** True when the cache already held the image: nothing was built. */
  cached: boolean;
}

/** The versions of the build tools, part of every cache key. */
export function buildToolVersions(): ToolVersions {
  requireTool('mmdebstrap');
  requireTool('mkfs.ext4');
  requireTool('qemu-img');
  return {
    mmdebstrap: toolVersion('mmdebstrap', ['--version']),
    mkfs: toolVersion('mkfs.ext4', ['-V']),
    qemuImg: toolVersion('qemu-img', ['--version']),
  };
}

/** The store of OS images under a cache root. */
export function osImageStore(cacheDir: string = defaultCacheDir()): OsImageStore {
  return new OsImageStore(join(cacheDir, 'os-images'));
}

const STEPS = ['mmdebstrap', 'mkfs.ext4', 'qemu-img convert', 'publish'] as const;

/**
 * Builds a Debian root file system with mmdebstrap from Debian's archive, the recipe's packages
 * and (optionally) the agent installed, as a qcow2 with the kernel and initrd beside it; or
 * returns the cached one when every input is the same. No loop mounts: the ext4 file system is
 * written by `mkfs.ext4 -d`. The build happens in a folder beside the cache entries and is
 * renamed into place; a failure removes it and throws `ImageBuildError` naming the step.
 */
export async function buildOsImage(
  recipeInput: DebianImageRecipe,
  options: BuildOsImageOptions = {},
): Promise<BuiltOsImage> {
  const recipe = normalizeRecipe(recipeInput);
  if (process.getuid?.() !== 0) {
    // As a normal user mmdebstrap's chroot is owned by subuids: mkfs.ext4 would record those
    // (it reads ownership from the tree) and the folder could not be removed. Not supported yet.
    throw new InvalidOptionError(
      'user',
      'building OS images needs root (mmdebstrap and mkfs.ext4 -d must see real ownership); CI runs as root',
    );
  }
  const progress = options.onProgress ?? (() => {});
  const tools = buildToolVersions();
  const key = osImageCacheKey(recipe, tools, recipe.agent ? agentDigest(recipe.agent) : undefined);
  const store = osImageStore(options.cacheDir);
  const existing = store.get(key);
  if (existing) {
    progress({ kind: 'cached', key, dir: existing.dir });
    return { image: existing, cached: true };
  }

  const started = Date.now();
  const buildDir = store.makeBuildDir(key);
  try {
    const paths: BuildPaths = {
      root: join(buildDir, 'root'),
      hook: join(buildDir, 'customize.sh'),
      essentialHook: join(buildDir, 'essential.sh'),
      stage: join(buildDir, 'stage'),
    };
    const tmp = join(buildDir, 'tmp');
    mkdirSync(tmp);
    mkdirSync(paths.root);
    writeFileSync(paths.essentialHook, ESSENTIAL_HOOK);
    writeFileSync(paths.hook, customizeHook(recipe, paths));
    if (recipe.agent) stageAgent(recipe.agent, paths.stage);

    progress({ kind: 'step', step: STEPS[0], index: 1, total: STEPS.length, key });
    await runStep(
      'mmdebstrap',
      'mmdebstrap',
      mmdebstrapArgs(recipe, paths, options.mode ?? 'unshare'),
      {
        timeoutMs: options.timeoutMs ?? DEFAULT_BUILD_TIMEOUT_MS,
        // Its temporary chroot lives in the build folder, so a killed build leaves one folder.
        env: { ...process.env, TMPDIR: tmp, DEBIAN_FRONTEND: 'noninteractive', LC_ALL: 'C.UTF-8' },
        onLine: (line) => progress({ kind: 'output', step: STEPS[0], line }),
        ...(options.signal ? { signal: options.signal } : {}),
      },
    );

    progress({ kind: 'step', step: STEPS[1], index: 2, total: STEPS.length, key });
    const kernelRelease = copyKernel(paths.root, buildDir);
    const raw = join(buildDir, 'rootfs.raw');
    await runStep(
      'mkfs.ext4',
      'mkfs.ext4',
      ['-q', '-F', '-L', 'rootfs', '-d', paths.root, raw, `${recipe.rootfsSize}M`],
      {
        timeoutMs: DEFAULT_CONVERT_TIMEOUT_MS,
        onLine: (line) => progress({ kind: 'output', step: STEPS[1], line }),
        ...(options.signal ? { signal: options.signal } : {}),
      },
    );
    removeBuildDir(paths.root);

    progress({ kind: 'step', step: STEPS[2], index: 3, total: STEPS.length, key });
    await runStep(
      'qemu-img convert',
      'qemu-img',
      ['convert', '-f', 'raw', '-O', 'qcow2', raw, join(buildDir, ROOTFS_FILE)],
      {
        timeoutMs: DEFAULT_CONVERT_TIMEOUT_MS,
        onLine: (line) => progress({ kind: 'output', step: STEPS[2], line }),
        ...(options.signal ? { signal: options.signal } : {}),
      },
    );
    for (const leftover of [raw, paths.hook, paths.essentialHook, paths.stage, tmp]) {
      rmSync(leftover, { recursive: true, force: true });
    }

    progress({ kind: 'step', step: STEPS[3], index: 4, total: STEPS.length, key });
    const manifest: OsImageManifest = {
      formatVersion: 1,
      key,
      builtAt: new Date().toISOString(),
      buildSeconds: Math.round((Date.now() - started) / 1000),
      suite: recipe.suite,
      arch: recipe.arch,
      mirror: recipe.mirror,
      packages: recipe.extraPackages,
      kernelPackage: recipe.kernelPackage,
      kernelRelease,
      agent: recipe.agent !== undefined,
      tools,
      sizes: {
        rootfs: statSync(join(buildDir, ROOTFS_FILE)).size,
        kernel: statSync(join(buildDir, KERNEL_FILE)).size,
        initrd: statSync(join(buildDir, INITRD_FILE)).size,
      },
    };
    writeFileSync(join(buildDir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    const { image, published } = store.publish(buildDir, key);
    progress({ kind: 'done', key, dir: image.dir, seconds: manifest.buildSeconds });
    return { image, cached: !published };
  } catch (error) {
    removeBuildDir(buildDir);
    throw error;
  }
}

/** Copies the one kernel in /boot and its initrd beside the image; returns its release. */
function copyKernel(root: string, buildDir: string): string {
  const kernels = readdirSync(join(root, 'boot')).filter((name) => name.startsWith('vmlinuz-'));
  const [kernel] = kernels;
  if (kernels.length !== 1 || kernel === undefined) {
    throw new ImageBuildError(
      'kernel',
      `expected one kernel in /boot, found ${kernels.join(', ') || 'none'}`,
      '',
    );
  }
  const release = kernel.slice('vmlinuz-'.length);
  const initrd = join(root, 'boot', `initrd.img-${release}`);
  if (!existsSync(initrd))
    throw new ImageBuildError('kernel', `no initrd.img-${release} in /boot`, '');
  copyFileSync(join(root, 'boot', kernel), join(buildDir, KERNEL_FILE));
  copyFileSync(initrd, join(buildDir, INITRD_FILE));
  return release;
}

/** Copies what the agent needs into the stage folder the customize hook installs from. */
function stageAgent(agent: NonNullable<DebianImageRecipe['agent']>, stage: string): void {
  mkdirSync(join(stage, 'addons'), { recursive: true });
  copyFileSync(agent.bundle, join(stage, 'agent.cjs'));
  for (const addon of agent.addons ?? []) {
    copyFileSync(addon.source, join(stage, 'addons', posix.basename(addon.path)));
  }
  if (agent.config !== undefined) copyFileSync(agent.config, join(stage, 'agent.json'));
  writeFileSync(join(stage, 'load-config.sh'), LOAD_AGENT_CONFIG);
  writeFileSync(join(stage, AGENT_SERVICE), agentUnit(agent.env ?? {}));
}
