import { execFileSync } from 'node:child_process';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { type CpioEntry, cpioArchive } from '../cpio/writer.js';
import { HostFileNotFoundError, InvalidOptionError } from '../errors.js';
import { findKernel, type Kernel } from '../kernel.js';
import { cacheKey, defaultCacheDir } from './cache.js';
import { hostFileEntry, hostTreeEntries, sharedLibraries } from './host-files.js';
import { type AfterInit, renderInitScript } from './init-script.js';
import { parseModuleIndex, resolveModuleLoadOrder } from './modules.js';

/** A file to put into the guest: copied from the host, or given inline. */
export interface InitramfsFile {
  /** Absolute path inside the guest (`/etc/agent.json`). */
  path: string;
  /** Host file to copy. */
  source?: string;
  /** Inline content, instead of `source`. */
  content?: string | Uint8Array;
  /** Permission bits; default the host file's, or 0644 for inline content. */
  mode?: number;
}

/** A host folder copied, recursively, into the guest. */
export interface InitramfsDirectory {
  source: string;
  /** Absolute path inside the guest. */
  path: string;
}

export interface BuildInitramfsOptions {
  /** The kernel whose modules go in; default `findKernel()`. */
  kernel?: Kernel;
  /** Kernel module names (`9p`, `virtio_net`, `vsock_loopback`); dependencies are added. */
  modules?: readonly string[];
  /** Include `/usr/bin/node` and the shared libraries it needs. */
  node?: boolean;
  /** Other host executables to include with their shared libraries (`/usr/bin/socat`). */
  executables?: readonly string[];
  files?: readonly InitramfsFile[];
  directories?: readonly InitramfsDirectory[];
  /** Shell script (busybox `sh`) run by /init once the system is up. */
  init?: string;
  /** What /init does after `init` returns; default `poweroff`. */
  after?: AfterInit;
  hostname?: string;
  /**
   * Power off when the ACPI power button is pressed (QMP `system_powerdown`, what
   * `virsh shutdown` and graceful launchers send): loads `button` and `evdev` and runs
   * busybox acpid. `{ command }` runs a shell command first (tell a service to stop, run
   * shutdown hooks); the guest powers off when it returns. Default false.
   */
  powerButton?: boolean | { command: string };
  /** The static busybox to use; default `/bin/busybox` (Debian's busybox-static). */
  busybox?: string;
  /** Where built archives are cached; default `defaultCacheDir()`. */
  cacheDir?: string;
  /** gzip level 1-9; default 6. */
  compressionLevel?: number;
}

export interface Initramfs {
  /** The gzip'd newc cpio archive, ready for `qemu -initrd`. */
  path: string;
  /** Hash of the inputs; the archive's file name. */
  key: string;
  /** Whether the archive came from the cache. */
  cached: boolean;
  kernel: Kernel;
  /** Modules /init loads, in load order. */
  modules: string[];
  /** Size of the archive in bytes. */
  size: number;
}

const NODE_BINARY = '/usr/bin/node';
/** The ACPI button driver and the input event interface acpid reads it through. */
const POWER_BUTTON_MODULES = ['button', 'evdev'];

function busyboxEntries(busybox: string): CpioEntry[] {
  const entries: CpioEntry[] = [
    hostFileEntry(busybox, '/bin/busybox', "install Debian's busybox-static package", 0o755),
  ];
  let applets: string[];
  try {
    applets = execFileSync(busybox, ['--list-full'], { encoding: 'utf8' }).split('\n');
  } catch (cause) {
    throw new HostFileNotFoundError(busybox, 'it does not run `--list-full`', { cause });
  }
  for (const applet of applets.map((line) => line.trim()).filter(Boolean)) {
    if (applet === 'bin/busybox') continue;
    entries.push({ type: 'symlink', path: `/${applet}`, target: '/bin/busybox' });
  }
  return entries;
}

function executableEntries(executable: string): CpioEntry[] {
  const entries = [hostFileEntry(executable, executable, 'an executable to include in the image')];
  for (const library of sharedLibraries(executable)) {
    entries.push(hostFileEntry(library, library, `a shared library of ${executable}`));
  }
  return entries;
}

function fileEntry(file: InitramfsFile, index: number): CpioEntry {
  if (!file.path.startsWith('/')) {
    throw new InvalidOptionError(`files[${index}].path`, `must be absolute, got "${file.path}"`);
  }
  if (file.content !== undefined) {
    return {
      type: 'file',
      path: file.path,
      mode: file.mode ?? 0o644,
      data: Buffer.from(file.content),
    };
  }
  if (file.source === undefined) {
    throw new InvalidOptionError(`files[${index}]`, 'needs either source or content');
  }
  return hostFileEntry(file.source, file.path, `files[${index}].source`, file.mode);
}

/**
 * Orders entries so every folder precedes what it holds, adds the folders nobody listed,
 * and lets a later entry for a path replace an earlier one.
 */
function completeTree(entries: readonly CpioEntry[]): CpioEntry[] {
  const byPath = new Map<string, CpioEntry>();
  for (const entry of entries) {
    const path = posix.normalize(`/${entry.path}`);
    for (let parent = posix.dirname(path); parent !== '/'; parent = posix.dirname(parent)) {
      if (!byPath.has(parent)) byPath.set(parent, { type: 'directory', path: parent });
    }
    byPath.set(path, { ...entry, path });
  }
  return [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Lists, without writing anything, what the archive for `options` holds. */
export function planInitramfs(options: BuildInitramfsOptions = {}): {
  entries: CpioEntry[];
  kernel: Kernel;
  modules: string[];
} {
  const kernel = options.kernel ?? findKernel();
  const index = parseModuleIndex(
    kernel.release,
    readFileSync(join(kernel.modulesDir, 'modules.dep'), 'utf8'),
    existsSync(join(kernel.modulesDir, 'modules.builtin'))
      ? readFileSync(join(kernel.modulesDir, 'modules.builtin'), 'utf8')
      : '',
  );
  const requested = [
    ...(options.modules ?? []),
    ...(options.powerButton ? POWER_BUTTON_MODULES : []),
  ];
  const modules = resolveModuleLoadOrder(index, requested);
  const modulePaths = modules.map((name) => index.paths.get(name)!);

  const entries: CpioEntry[] = [
    ...['/dev', '/proc', '/sys', '/tmp', '/run', '/mnt', '/root', '/etc'].map(
      (path): CpioEntry => ({ type: 'directory', path }),
    ),
    { type: 'char-device', path: '/dev/console', major: 5, minor: 1 },
    ...busyboxEntries(options.busybox ?? '/bin/busybox'),
  ];
  for (const path of modulePaths) {
    entries.push(
      hostFileEntry(
        join(kernel.modulesDir, path),
        `/lib/modules/${kernel.release}/${path}`,
        `module of kernel ${kernel.release}`,
      ),
    );
  }
  if (options.node) entries.push(...executableEntries(NODE_BINARY));
  for (const executable of options.executables ?? [])
    entries.push(...executableEntries(executable));
  for (const directory of options.directories ?? []) {
    entries.push(...hostTreeEntries(directory.source, directory.path));
  }
  (options.files ?? []).forEach((file, i) => {
    entries.push(fileEntry(file, i));
  });

  const bodyPath = options.init !== undefined ? '/etc/mv-image/init.sh' : undefined;
  if (bodyPath !== undefined) {
    entries.push({
      type: 'file',
      path: bodyPath,
      mode: 0o755,
      data: Buffer.from(options.init ?? ''),
    });
  }
  const init = renderInitScript({
    release: kernel.release,
    modulePaths,
    after: options.after ?? 'poweroff',
    ...(bodyPath !== undefined ? { bodyPath } : {}),
    ...(options.hostname !== undefined ? { hostname: options.hostname } : {}),
    ...(options.powerButton
      ? { powerButton: options.powerButton === true ? {} : options.powerButton }
      : {}),
  });
  entries.push({ type: 'file', path: '/init', mode: 0o755, data: Buffer.from(init) });
  return { entries: completeTree(entries), kernel, modules };
}

/**
 * Builds a gzip'd newc cpio initramfs: static busybox, the kernel modules asked for (with
 * their dependencies, loaded in order by /init), optional Node.js and other executables with
 * their libraries, extra files and folders, and the caller's init script. Archives are cached
 * by a hash of their inputs; concurrent builds of the same inputs are safe (each writes a
 * temporary file and renames it into place).
 */
export async function buildInitramfs(options: BuildInitramfsOptions = {}): Promise<Initramfs> {
  const level = options.compressionLevel ?? 6;
  if (!Number.isInteger(level) || level < 1 || level > 9) {
    throw new InvalidOptionError(
      'compressionLevel',
      `must be an integer from 1 to 9, got ${level}`,
    );
  }
  const { entries, kernel, modules } = planInitramfs(options);
  const key = cacheKey(entries, level);
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const path = join(cacheDir, `initramfs-${key}.cpio.gz`);

  if (existsSync(path)) {
    return { path, key, cached: true, kernel, modules, size: statSync(path).size };
  }

  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    await pipeline(
      Readable.from(cpioArchive(entries)),
      createGzip({ level }),
      createWriteStream(temporary),
    );
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
  return { path, key, cached: false, kernel, modules, size: statSync(path).size };
}
