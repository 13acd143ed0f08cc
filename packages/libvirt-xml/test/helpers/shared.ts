import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(fileURLToPath(new URL('../../../../', import.meta.url)));

/** `../shared/libvirt-9.0` from the repository root; throws (never skips) when absent. */
export function libvirtCorpusDir(): string {
  const dir = join(repoRoot, '..', 'shared', 'libvirt-9.0');
  if (!existsSync(join(dir, 'domain'))) {
    throw new Error(
      `libvirt 9.0 test corpus not found at ${dir} (expected ../shared/libvirt-9.0 next to the repository root, with domain/, network/, storagepool/, storagevol/)`,
    );
  }
  return dir;
}
