import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ADDON_PATH_ENV as FSAT_ADDON_ENV } from '@multiverse-os/fsat';
import { build } from 'esbuild';

/** examples/agent, found from this file whether it runs from src/ or dist/. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the package root of examples/agent');
    dir = parent;
  }
  return dir;
}

/** Where the bundled agent's native addons live in the guest. */
const GUEST_ADDON_DIR = '/opt/multiverse-agent';

/** Where the guest finds the vsock addon (`MULTIVERSE_VSOCK_ADDON`, see `guestVsockAddon`). */
export const GUEST_VSOCK_ADDON = `${GUEST_ADDON_DIR}/vsock_native.node`;

/** Where the guest finds the fsat addon (`MULTIVERSE_FSAT_ADDON`, see `guestFsatAddon`). */
export const GUEST_FSAT_ADDON = `${GUEST_ADDON_DIR}/fsat.node`;

/**
 * A native addon for the guest: the file to put in the initramfs, and the `NAME=path`
 * assignment that points the bundled loader at it (a bundle has no node_modules to search).
 * The guest's node runs the host's binary, so the addon built or shipped for the host fits.
 */
export interface GuestAddon {
  file: { path: string; source: string };
  env: string;
}

/**
 * The vsock addon for the guest: the agent needs it to mount a `vsock:CID:PORT` share
 * (nothing else loads it).
 */
export function guestVsockAddon(): GuestAddon {
  const vsockPackage = createRequire(import.meta.url).resolve('@multiverse-os/vsock/package.json');
  const source = join(dirname(vsockPackage), 'build', 'Release', 'vsock_native.node');
  if (!existsSync(source)) {
    throw new Error(
      `the vsock addon is not built (${source} is missing): run "pnpm run build:addon" in packages/vsock`,
    );
  }
  return {
    file: { path: GUEST_VSOCK_ADDON, source },
    env: `MULTIVERSE_VSOCK_ADDON=${GUEST_VSOCK_ADDON}`,
  };
}

/**
 * The fsat addon for the guest: the agent's file.* methods and exec's `cwd` open paths
 * beneath their allowed root with it, so without it every such call fails (INTERNAL). It is
 * the one fsat's own loader would pick on the host (its prebuild, or a local build), found
 * the same way: node-gyp-build, resolved from fsat's package, asked for fsat's directory.
 */
export function guestFsatAddon(): GuestAddon {
  const fsatPackage = createRequire(import.meta.url).resolve('@multiverse-os/fsat/package.json');
  const nodeGypBuild = createRequire(fsatPackage)('node-gyp-build') as {
    path(dir: string): string;
  };
  let source: string;
  try {
    source = nodeGypBuild.path(dirname(fsatPackage));
  } catch (cause) {
    throw new Error(
      `no fsat addon for linux-${process.arch} in ${dirname(fsatPackage)}: run "node scripts/install.mjs --force" in packages/fsat`,
      { cause },
    );
  }
  return {
    file: { path: GUEST_FSAT_ADDON, source },
    env: `${FSAT_ADDON_ENV}=${GUEST_FSAT_ADDON}`,
  };
}

/**
 * Every native addon the bundled agent may load (vsock for `vsock:` mounts, fsat for the file
 * methods), and the assignments for its command line: `${env} node agent.cjs`, or
 * `export ${env}` in a shell script.
 */
export function guestAgentAddons(): { files: GuestAddon['file'][]; env: string } {
  const addons = [guestVsockAddon(), guestFsatAddon()];
  return { files: addons.map((a) => a.file), env: addons.map((a) => a.env).join(' ') };
}

/**
 * One guest script (the agent, or a test's) as one CommonJS file for the guest's Node (the
 * host's /usr/bin/node, copied by @multiverse-os/image): no node_modules in the initramfs.
 */
export async function bundleGuestScript(entry: string, outFile: string): Promise<string> {
  await mkdir(dirname(outFile), { recursive: true });
  const result = await build({
    write: false,
    entryPoints: [entry],
    outfile: outFile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    conditions: ['@multiverse-os/source'],
    // CommonJS has no import.meta: the sources that use import.meta.url (the vsock addon's
    // loader calls createRequire with it) get this file's URL instead of undefined.
    banner: {
      js: '"use strict";\nvar __importMetaUrl = require("node:url").pathToFileURL(__filename).href;',
    },
    define: { 'import.meta.url': '__importMetaUrl' },
    // cbor-x's optional native add-on: without it, cbor-x uses its JavaScript decoder.
    external: ['cbor-extract'],
    logLevel: 'error',
    legalComments: 'none',
  });
  const code = result.outputFiles[0]?.contents;
  if (!code) throw new Error(`esbuild produced no output for ${entry}`);
  // Rewrite only on change: @multiverse-os/image keys its cache on the file's mtime and inode.
  const previous = await readFile(outFile).catch(() => undefined);
  if (!previous?.equals(code)) await writeFile(outFile, code);
  return outFile;
}

/** The guest side of the agent (src/guest/main.ts) bundled into `outFile`. */
export function bundleGuestAgent(outFile: string): Promise<string> {
  return bundleGuestScript(join(packageRoot(), 'src', 'guest', 'main.ts'), outFile);
}
