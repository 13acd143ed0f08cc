import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
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

/** Where the addon may be: from `dist/` and from `src/native/` (tests run on source). */
function candidates(): string[] {
  const fromEnv = process.env[ADDON_PATH_ENV];
  if (fromEnv) return [fromEnv];
  return ['../build/Release/vsock_native.node', '../../build/Release/vsock_native.node'].map(
    (relative) => fileURLToPath(new URL(relative, import.meta.url)),
  );
}

/** Loads the addon once; throws `VsockUnsupportedError` off Linux, `VsockAddonError` if unbuilt. */
export function loadAddon(): NativeBinding {
  assertVsockSupported();
  if (loaded) return loaded;
  const paths = candidates();
  const path = paths.find((p) => existsSync(p));
  if (!path) {
    throw new VsockAddonError(
      `the vsock native addon is not built (looked at ${paths.join(', ')}); ` +
        'run "node scripts/build-addon.mjs" in @multiverse-os/vsock (needs g++ and node-gyp)',
    );
  }
  try {
    loaded = createRequire(import.meta.url)(path) as NativeBinding;
  } catch (cause) {
    throw new VsockAddonError(`cannot load the vsock native addon ${path}`, { cause });
  }
  return loaded;
}
