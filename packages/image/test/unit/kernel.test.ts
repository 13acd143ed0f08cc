import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findKernel, KernelNotFoundError } from '../../src/index.js';

function fakeRoot(releases: Array<{ release: string; modules: boolean }>) {
  const root = mkdtempSync(join(tmpdir(), 'mv-kernel-'));
  const bootDir = join(root, 'boot');
  const modulesRoot = join(root, 'modules');
  mkdirSync(bootDir);
  for (const { release, modules } of releases) {
    writeFileSync(join(bootDir, `vmlinuz-${release}`), '');
    if (modules) {
      mkdirSync(join(modulesRoot, release), { recursive: true });
      writeFileSync(join(modulesRoot, release, 'modules.dep'), '');
    }
  }
  return { bootDir, modulesRoot };
}

describe('findKernel', () => {
  it('picks the newest kernel that has modules, comparing releases numerically', () => {
    const dirs = fakeRoot([
      { release: '6.1.0-9-amd64', modules: true },
      { release: '6.1.0-56-amd64', modules: true },
      { release: '6.1.0-60-amd64', modules: false },
    ]);
    const kernel = findKernel(dirs);
    expect(kernel.release).toBe('6.1.0-56-amd64');
    expect(kernel.image).toBe(join(dirs.bootDir, 'vmlinuz-6.1.0-56-amd64'));
    expect(kernel.modulesDir).toBe(join(dirs.modulesRoot, '6.1.0-56-amd64'));
  });

  it('says which Debian package to install when there is none', () => {
    const dirs = fakeRoot([{ release: '6.1.0-60-amd64', modules: false }]);
    expect(() => findKernel(dirs)).toThrow(KernelNotFoundError);
    expect(() => findKernel(dirs)).toThrow(/apt-get install linux-image-amd64/);
  });
});
