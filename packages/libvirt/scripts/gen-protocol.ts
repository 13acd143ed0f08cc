import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireShared } from '../../../scripts/shared-corpus.mjs';
import { generate } from './xdr/generate.js';

/**
 * `pnpm --filter @multiverse-os/libvirt gen:protocol [outDir]`: regenerates src/generated/
 * from libvirt 9.0's protocol definitions in ../shared/libvirt-9.0/protocol (beside the
 * repository, or $MULTIVERSE_SHARED_DIR).
 */
const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = resolve(process.argv[2] ?? join(packageDir, 'src', 'generated'));

let protocolDir: string;
try {
  protocolDir = requireShared('libvirt-9.0/protocol', "libvirt 9.0's protocol definitions");
} catch (error) {
  console.error(`gen:protocol: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
mkdirSync(outDir, { recursive: true });
const files = generate(protocolDir);
for (const [name, text] of files) writeFileSync(join(outDir, name), text);
console.log(`gen:protocol: wrote ${files.size} files to ${outDir}`);
