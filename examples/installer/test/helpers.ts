import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type HostConfig, parseHostConfig } from '../src/index.js';

export const installerDir = join(import.meta.dirname, '..');
export const fixtures = join(installerDir, 'test', 'fixtures');
export const seedsHost = join(installerDir, 'hosts', 'seeds.yaml');

/** The seeds layout with storage and portal folders in a fresh temporary folder. */
export async function seedsInTemp(
  edit: (text: string) => string = (t) => t,
): Promise<{ config: HostConfig; dir: string; file: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'mv-installer-test-'));
  const text = edit(
    (await readFile(seedsHost, 'utf8'))
      .replace('root: /var/lib/multiverse', `root: ${dir}/store`)
      .replace('root: ~/.local/share/multiverse/portals', `root: ${dir}/portals`)
      .replace('catalog: ../../formulas', `catalog: ${join(installerDir, '..', 'formulas')}`)
      .replace(
        'network: ../../router/plans/seeds.yaml',
        `network: ${join(installerDir, '..', 'router', 'plans', 'seeds.yaml')}`,
      ),
  );
  const file = join(dir, 'host.yaml');
  await writeFile(file, text);
  return { config: parseHostConfig(text, file), dir, file };
}

/** Empty files where the plan's images go, so apply may proceed. */
export async function placeImages(paths: readonly string[]): Promise<void> {
  for (const path of paths) {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, '');
  }
}
