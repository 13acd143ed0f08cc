import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
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

/** Where the guest finds the vsock addon (`MULTIVERSE_VSOCK_ADDON`, see `guestVsockAddon`). */
export const GUEST_VSOCK_ADDON = '/opt/multiverse-agent/vsock_native.node';

/**
 * The vsock addon for the guest, to put in the initramfs beside the agent: the agent needs it
 * to mount a `vsock:CID:PORT` share (nothing else loads it). The guest's node runs the host's
 * binary, so the addon built on the host for @multiverse-os/vsock fits. `env` is what the
 * agent's command line needs so the bundled loader finds it.
 */
export function guestVsockAddon(): { file: { path: string; source: string }; env: string } {
  const vsockPackage = createRequire(import.meta.url).resolve('@multiverse-os/vsock/package.json');
  const source = join(dirname(vsockPackage), 'build', 'Release', 'vsock_native.node');
  if (!existsSync(source)) {
    throw new Error(
      `the vsock addon is not built (${source} is missing): run "node scripts/build-addon.mjs" in packages/vsock`,
    );
  }
  return {
    file: { path: GUEST_VSOCK_ADDON, source },
    env: `MULTIVERSE_VSOCK_ADDON=${GUEST_VSOCK_ADDON}`,
  };
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
