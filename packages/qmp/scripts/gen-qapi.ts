import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from './qapi/generate.js';

/**
 * `pnpm gen:qapi [outDir]`: regenerates src/generated/ from ../shared/qapi (the QAPI schema
 * sources of QEMU 7.2, 8.2 and 9.1, next to the repository).
 */
const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = resolve(packageDir, '..', '..');
const qapiRoot = process.env.QAPI_SCHEMA_DIR ?? join(repoRoot, '..', 'shared', 'qapi');
const outDir = resolve(process.argv[2] ?? join(packageDir, 'src', 'generated'));

if (!existsSync(qapiRoot)) {
  console.error(`gen:qapi: QAPI schema sources not found at ${qapiRoot} (expected ../shared/qapi)`);
  process.exit(1);
}
mkdirSync(outDir, { recursive: true });
const files = generate(qapiRoot);
for (const [name, text] of files) writeFileSync(join(outDir, name), text);
console.log(`gen:qapi: wrote ${files.size} files to ${outDir}`);
