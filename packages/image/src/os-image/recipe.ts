import { InvalidOptionError } from '../errors.js';

/**
 * Bumped whenever what a recipe builds changes for the same inputs (the hook script, the
 * agent's unit, the file system layout), so older cache entries are never reused.
 */
export const RECIPE_VERSION = 1;

/** Debian releases the builder knows, by suite, with the number formulas name (`debian-12`). */
export const DEBIAN_SUITES = { bookworm: 12 } as const;
export type DebianSuite = keyof typeof DEBIAN_SUITES;

export const DEBIAN_COMPONENTS = ['main', 'contrib', 'non-free', 'non-free-firmware'] as const;
export type DebianComponent = (typeof DEBIAN_COMPONENTS)[number];

/** The Debian package name rule (Debian policy 5.6.1), the same one formulas check. */
const PACKAGE_NAME = /^[a-z0-9][a-z0-9+.-]{0,127}$/;
const HOSTNAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export const DEFAULT_MIRROR = 'http://deb.debian.org/debian';
export const DEFAULT_KERNEL_PACKAGE = 'linux-image-amd64';
/** MiB of the root file system; the qcow2 only stores what is used. */
export const DEFAULT_ROOTFS_SIZE = 2048;
const MIN_ROOTFS_SIZE = 256;
const MAX_ROOTFS_SIZE = 256 * 1024;
const MAX_PACKAGES = 512;

/**
 * What installs the Multiverse agent in an image: the guest side bundled as one CommonJS file
 * (examples/agent's `bundleGuestAgent`), its native addons, and optionally its configuration
 * with the pinned keys. Without `config` the service waits for `/etc/multiverse/agent.json`
 * (a portal runtime writes it at first boot).
 */
export interface AgentInstall {
  /** Host path of the bundled agent (`agent.cjs`); installed as /opt/multiverse-agent/agent.cjs. */
  bundle: string;
  /** Native addons: `path` in the guest (under /opt/multiverse-agent), `source` on the host. */
  addons?: readonly { path: string; source: string }[];
  /** Environment of the service (`MULTIVERSE_VSOCK_ADDON=/opt/...`). */
  env?: Readonly<Record<string, string>>;
  /** Host path of agent.json (identity key, certificate, pinned host certificate). */
  config?: string;
}

export interface DebianImageRecipe {
  /** Debian suite; default `bookworm` (Debian 12). */
  suite?: DebianSuite;
  /** Archive to install from; default http://deb.debian.org/debian (apt verifies signatures). */
  mirror?: string;
  /** Archive areas; default `['main']` (`contrib` has e.g. torbrowser-launcher). */
  components?: readonly DebianComponent[];
  /** Extra packages (a formula's `provisioning.packages.apt`). */
  packages?: readonly string[];
  /** The kernel package whose vmlinuz and initrd are put beside the image. */
  kernelPackage?: string;
  /** Install the agent as a systemd service; see `AgentInstall`. */
  agent?: AgentInstall;
  /** Root file system size in MiB; default 2048. */
  rootfsSize?: number;
  /** /etc/hostname; default `portal`. */
  hostname?: string;
}

/** A recipe with every default applied and every field checked; packages sorted, once each. */
export interface NormalizedRecipe {
  suite: DebianSuite;
  arch: 'amd64';
  mirror: string;
  /** Archive areas, in the archive's order, once each. */
  components: DebianComponent[];
  variant: 'minbase';
  /** Everything installed besides minbase: the base set, the kernel, the caller's packages. */
  packages: string[];
  /** Only the caller's packages (for manifests and `list`). */
  extraPackages: string[];
  kernelPackage: string;
  agent: AgentInstall | undefined;
  rootfsSize: number;
  hostname: string;
}

/**
 * What every image gets: an init (systemd) so services start, and udev, which names the
 * agent's virtio-serial port under /dev/virtio-ports.
 */
export const BASE_PACKAGES = ['systemd-sysv', 'udev'] as const;
/** What the agent adds: Debian's Node.js runs the bundle. */
export const AGENT_PACKAGES = ['nodejs'] as const;

function checkPackage(name: unknown, option: string): string {
  if (typeof name !== 'string' || !PACKAGE_NAME.test(name)) {
    throw new InvalidOptionError(option, `${JSON.stringify(name)} is not a Debian package name`);
  }
  return name;
}

function checkMirror(mirror: string): string {
  let url: URL;
  try {
    url = new URL(mirror);
  } catch {
    throw new InvalidOptionError('mirror', `${JSON.stringify(mirror)} is not a URL`);
  }
  if (!['http:', 'https:', 'file:'].includes(url.protocol) || /[\s'"\\]/.test(mirror)) {
    throw new InvalidOptionError('mirror', `must be an http, https or file URL, got ${mirror}`);
  }
  return mirror.replace(/\/+$/, '');
}

function checkAgent(agent: AgentInstall): AgentInstall {
  if (!agent.bundle?.startsWith('/')) {
    throw new InvalidOptionError('agent.bundle', 'must be an absolute host path');
  }
  (agent.addons ?? []).forEach((addon, i) => {
    if (!/^\/opt\/multiverse-agent\/[A-Za-z0-9_.-]+$/.test(addon.path)) {
      throw new InvalidOptionError(
        `agent.addons[${i}].path`,
        `must be a file name under /opt/multiverse-agent, got ${JSON.stringify(addon.path)}`,
      );
    }
    if (!addon.source.startsWith('/')) {
      throw new InvalidOptionError(`agent.addons[${i}].source`, 'must be an absolute host path');
    }
  });
  for (const [name, value] of Object.entries(agent.env ?? {})) {
    // The values land in a systemd unit: no line breaks, quotes or specifier characters.
    if (!/^[A-Z_][A-Z0-9_]*$/.test(name) || !/^[A-Za-z0-9_./:=,@+-]*$/.test(value)) {
      throw new InvalidOptionError(`agent.env.${name}`, 'names are A-Z0-9_, values plain paths');
    }
  }
  if (agent.config !== undefined && !agent.config.startsWith('/')) {
    throw new InvalidOptionError('agent.config', 'must be an absolute host path');
  }
  return agent;
}

/** Applies the defaults and checks every field; throws `InvalidOptionError` naming the field. */
export function normalizeRecipe(recipe: DebianImageRecipe): NormalizedRecipe {
  const suite = recipe.suite ?? 'bookworm';
  if (!Object.hasOwn(DEBIAN_SUITES, suite)) {
    throw new InvalidOptionError(
      'suite',
      `unknown Debian suite ${JSON.stringify(suite)}; known: ${Object.keys(DEBIAN_SUITES).join(', ')}`,
    );
  }
  const given = recipe.packages ?? [];
  if (given.length > MAX_PACKAGES) {
    throw new InvalidOptionError(
      'packages',
      `at most ${MAX_PACKAGES} packages, got ${given.length}`,
    );
  }
  const extraPackages = [
    ...new Set(given.map((name, i) => checkPackage(name, `packages[${i}]`))),
  ].sort();
  const kernelPackage = checkPackage(
    recipe.kernelPackage ?? DEFAULT_KERNEL_PACKAGE,
    'kernelPackage',
  );
  const agent = recipe.agent === undefined ? undefined : checkAgent(recipe.agent);
  const packages = [
    ...new Set([
      ...BASE_PACKAGES,
      kernelPackage,
      ...(agent ? AGENT_PACKAGES : []),
      ...extraPackages,
    ]),
  ].sort();
  const rootfsSize = recipe.rootfsSize ?? DEFAULT_ROOTFS_SIZE;
  if (
    !Number.isInteger(rootfsSize) ||
    rootfsSize < MIN_ROOTFS_SIZE ||
    rootfsSize > MAX_ROOTFS_SIZE
  ) {
    throw new InvalidOptionError(
      'rootfsSize',
      `must be a whole number of MiB from ${MIN_ROOTFS_SIZE} to ${MAX_ROOTFS_SIZE}, got ${rootfsSize}`,
    );
  }
  const hostname = recipe.hostname ?? 'portal';
  if (!HOSTNAME.test(hostname)) {
    throw new InvalidOptionError('hostname', `${JSON.stringify(hostname)} is not a host name`);
  }
  const components = recipe.components ?? ['main'];
  components.forEach((component, i) => {
    if (!DEBIAN_COMPONENTS.includes(component)) {
      throw new InvalidOptionError(
        `components[${i}]`,
        `${JSON.stringify(component)} is not a Debian archive area (${DEBIAN_COMPONENTS.join(', ')})`,
      );
    }
  });
  if (components.length === 0) throw new InvalidOptionError('components', 'name at least main');
  return {
    suite,
    arch: 'amd64',
    mirror: checkMirror(recipe.mirror ?? DEFAULT_MIRROR),
    components: DEBIAN_COMPONENTS.filter((c) => components.includes(c)),
    variant: 'minbase',
    packages,
    extraPackages,
    kernelPackage,
    agent,
    rootfsSize,
    hostname,
  };
}
