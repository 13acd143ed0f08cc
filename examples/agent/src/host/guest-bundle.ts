import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
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

/**
 * The guest side of the agent as one CommonJS file for the guest's Node (the host's
 * /usr/bin/node, copied by @multiverse-os/image): no node_modules in the initramfs.
 */
export async function bundleGuestAgent(outFile: string): Promise<string> {
  await mkdir(dirname(outFile), { recursive: true });
  const result = await build({
    write: false,
    entryPoints: [join(packageRoot(), 'src', 'guest', 'main.ts')],
    outfile: outFile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    conditions: ['@multiverse-os/source'],
    // cbor-x's optional native add-on: without it, cbor-x uses its JavaScript decoder.
    external: ['cbor-extract'],
    logLevel: 'error',
    legalComments: 'none',
  });
  const code = result.outputFiles[0]?.contents;
  if (!code) throw new Error('esbuild produced no output for the guest agent');
  // Rewrite only on change: @multiverse-os/image keys its cache on the file's mtime and inode.
  const previous = await readFile(outFile).catch(() => undefined);
  if (!previous?.equals(code)) await writeFile(outFile, code);
  return outFile;
}
