import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VsockAddonError } from '../errors.js';
import { assertVsockSupported } from '../platform.js';

/** A libuv poll handle on one fd; it owns the fd and closes it with itself. */
export interface NativePoller {
  /** 1 = readable, 2 = writable, 0 = stop. Returns 0 or a negative errno. */
  start(events: number): number;
  ref(on: boolean): void;
  close(): void;
}

/**
 * The addon's surface (native/vsock_native.c). Calls never block; failures come back as
 * negative errno numbers, never as exceptions.
 */
export interface NativeBinding {
  socket(): number;
  connect(fd: number, cid: number, port: number): number;
  soError(fd: number): number;
  bind(fd: number, cid: number, port: number): number;
  listen(fd: number, backlog: number): number;
  accept(fd: number): number | [fd: number, cid: number, port: number];
  name(fd: number, peer: 0 | 1): number | [cid: number, port: number];
  read(fd: number, buffer: Buffer): number;
  writev(fd: number, buffers: readonly Buffer[]): number;
  shutdown(fd: number, how: number): number;
  setBufferSize(fd: number, bytes: number): number;
  close(fd: number): number;
  /** A close-on-exec duplicate of fd (blocking = 1 clears O_NONBLOCK), or -errno. */
  release(fd: number, blocking: 0 | 1): number;
  localCid(): number;
  Poller: new (fd: number, callback: (status: number, events: number) => void) => NativePoller;
}

export const POLL_READABLE = 1;
export const POLL_WRITABLE = 2;
export const SHUT_WR = 1;
/** VMADDR_CID_ANY and VMADDR_PORT_ANY. */
export const VMADDR_ANY = 0xffff_ffff;

/** Overrides where the compiled addon is (e.g. a bundled script inside a tiny guest). */
export const ADDON_PATH_ENV = 'MULTIVERSE_VSOCK_ADDON';

let loaded: NativeBinding | undefined;

/** node-gyp-build's lookup: build/Release, build/Debug, then prebuilds/<platform>-<arch>/. */
interface NodeGypBuild {
  path(dir: string): string;
}

/** The package's root: above dist/ in the npm package, above src/native/ when tests run on source. */
function packageRoot(): string | undefined {
  for (const relative of ['..', '../..']) {
    const dir = fileURLToPath(new URL(relative, import.meta.url));
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'binding.gyp'))) return dir;
  }
  return undefined;
}

/** What prebuilds/ holds (its platform-arch folders), for the error message. */
function shippedPrebuilds(root: string): string {
  let folders: string[] = [];
  try {
    folders = readdirSync(join(root, 'prebuilds'));
  } catch {}
  return folders.length > 0 ? `ships prebuilds for ${folders.join(', ')}` : 'ships no prebuilds';
}

/**
 * Where the addon file is: `MULTIVERSE_VSOCK_ADDON` if set, else node-gyp-build's choice in
 * the package folder `root` (undefined when unknown, e.g. in bundled code): a local build
 * wins over the shipped prebuild. Throws `VsockAddonError` naming the platform and arch when
 * there is neither.
 */
export function resolveAddonPath(root: string | undefined): string {
  const fromEnv = process.env[ADDON_PATH_ENV];
  if (fromEnv) {
    if (!existsSync(fromEnv)) {
      throw new VsockAddonError(`${ADDON_PATH_ENV}=${fromEnv}: no such file`);
    }
    return fromEnv;
  }
  const target = `${process.platform}-${process.arch}`;
  if (!root) {
    throw new VsockAddonError(
      `cannot find the @multiverse-os/vsock package folder from ${fileURLToPath(import.meta.url)} ` +
        `(bundled?); set ${ADDON_PATH_ENV} to the path of its vsock_native.node`,
    );
  }
  const nodeGypBuild = createRequire(import.meta.url)('node-gyp-build') as NodeGypBuild;
  try {
    return nodeGypBuild.path(root);
  } catch (cause) {
    throw new VsockAddonError(
      `no vsock native addon for ${target}: @multiverse-os/vsock ${shippedPrebuilds(root)} ` +
        `and ${join(root, 'build', 'Release')} has no local build; ` +
        `build one with "npm rebuild @multiverse-os/vsock" (needs a C compiler, make and python3) ` +
        `or set ${ADDON_PATH_ENV} to a vsock_native.node`,
      { cause },
    );
  }
}

/** Loads the addon once; throws `VsockUnsupportedError` off Linux, `VsockAddonError` if none loads. */
export function loadAddon(): NativeBinding {
  assertVsockSupported();
  if (loaded) return loaded;
  const path = resolveAddonPath(packageRoot());
  try {
    loaded = createRequire(import.meta.url)(path) as NativeBinding;
  } catch (cause) {
    throw new VsockAddonError(
      `cannot load the vsock native addon ${path} on ${process.platform}-${process.arch}: ` +
        `${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
  return loaded;
}
