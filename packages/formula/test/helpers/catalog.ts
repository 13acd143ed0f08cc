import { readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
export const catalogDir = join(repoRoot, 'examples', 'formulas');

/** Every formula file of the catalog, as absolute paths, sorted. */
export function catalogFiles(dir = catalogDir): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...catalogFiles(path));
    else if (entry.name.endsWith('.yaml')) out.push(path);
  }
  return out.sort();
}

export function catalogName(file: string): string {
  return relative(catalogDir, file).replace(/\.yaml$/, '');
}
