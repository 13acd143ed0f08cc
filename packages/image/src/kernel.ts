import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { KernelNotFoundError } from './errors.js';

/** A kernel image on the host and the modules that belong to it. */
export interface Kernel {
  /** `6.1.0-56-amd64` */
  release: string;
  /** `/boot/vmlinuz-6.1.0-56-amd64` */
  image: string;
  /** `/lib/modules/6.1.0-56-amd64` */
  modulesDir: string;
}

export interface FindKernelOptions {
  /** Where kernel images live; default `/boot`. */
  bootDir?: string;
  /** Where module trees live; default `/lib/modules`. */
  modulesRoot?: string;
  /** A specific release; default the newest one that has modules. */
  release?: string;
}

const INSTALL_HINT =
  "install Debian's linux-image-amd64 package (apt-get install linux-image-amd64)";

/** Compares kernel releases so `6.1.0-56` sorts after `6.1.0-9`. */
function compareReleases(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/**
 * Finds a bootable kernel: `/boot/vmlinuz-<release>` whose `/lib/modules/<release>/modules.dep`
 * exists. `MULTIVERSE_KERNEL` (a vmlinuz path) overrides the search.
 */
export function findKernel(options: FindKernelOptions = {}): Kernel {
  const bootDir = options.bootDir ?? '/boot';
  const modulesRoot = options.modulesRoot ?? '/lib/modules';
  const override = process.env.MULTIVERSE_KERNEL;
  const wanted = options.release ?? (override ? override.replace(/^.*vmlinuz-/, '') : undefined);

  let images: string[];
  try {
    images = readdirSync(bootDir).filter((name) => name.startsWith('vmlinuz-'));
  } catch {
    images = [];
  }
  const candidates = images
    .map((name) => name.slice('vmlinuz-'.length))
    .filter((release) => wanted === undefined || release === wanted)
    .filter((release) => existsSync(join(modulesRoot, release, 'modules.dep')))
    .sort(compareReleases);

  const release = candidates.at(-1);
  if (release === undefined) {
    const what = wanted ? `kernel ${wanted}` : 'kernel';
    throw new KernelNotFoundError(
      `no ${what} with modules found (looked for ${bootDir}/vmlinuz-* with ${modulesRoot}/<release>/modules.dep): ${INSTALL_HINT}`,
    );
  }
  return {
    release,
    image: override && wanted === release ? override : join(bootDir, `vmlinuz-${release}`),
    modulesDir: join(modulesRoot, release),
  };
}
