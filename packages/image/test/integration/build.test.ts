import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import {
  buildInitramfs,
  findKernel,
  HostFileNotFoundError,
  ModuleNotFoundError,
} from '../../src/index.js';
import { readNewcArchive } from '../helpers/newc-reader.js';

// Builds from the host's real Debian packages: busybox-static and linux-image-amd64.
describe('buildInitramfs (host packages)', () => {
  const cacheDir = mkdtempSync(join(tmpdir(), 'mv-image-cache-'));
  afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));
  const kernel = findKernel();

  it('packs busybox, the modules with their dependencies, extra files and /init', async () => {
    const hostFile = join(cacheDir, 'hello.txt');
    writeFileSync(hostFile, 'hello from the host\n');
    const result = await buildInitramfs({
      cacheDir,
      modules: ['9p', 'vsock_loopback'],
      files: [
        { path: '/etc/motd', content: 'inline\n' },
        { path: '/opt/hello.txt', source: hostFile },
      ],
      init: 'echo body',
    });
    expect(result.cached).toBe(false);
    expect(result.modules.indexOf('9pnet')).toBeLessThan(result.modules.indexOf('9p'));
    expect(result.modules.indexOf('vsock')).toBeLessThan(result.modules.indexOf('vsock_loopback'));

    const entries = readNewcArchive(gunzipSync(readFileSync(result.path)));
    const byName = new Map(entries.map((entry) => [entry.name, entry]));
    expect(byName.get('init')?.data.toString()).toContain('insmod');
    expect(byName.get('init')?.mode).toBe(0o100755);
    expect(byName.get('bin/busybox')?.data.length).toBeGreaterThan(1_000_000);
    expect(byName.get('bin/sh')?.data.toString()).toBe('/bin/busybox');
    expect(byName.get('dev/console')?.rdevMajor).toBe(5);
    expect(byName.get(`lib/modules/${kernel.release}/kernel/fs/9p/9p.ko`)).toBeDefined();
    expect(byName.get('etc/motd')?.data.toString()).toBe('inline\n');
    expect(byName.get('opt/hello.txt')?.data.toString()).toBe('hello from the host\n');
    expect(byName.get('etc/mv-image/init.sh')?.data.toString()).toBe('echo body');
    // The kernel's unpacker does not create parents: every folder precedes its contents.
    const seen = new Set<string>();
    for (const { name } of entries) {
      const parent = name.includes('/') ? name.slice(0, name.lastIndexOf('/')) : '';
      if (parent) expect(seen.has(parent), `${parent} before ${name}`).toBe(true);
      seen.add(name);
    }
  });

  it('serves a second build of the same inputs from the cache, and rebuilds on change', async () => {
    const options = { cacheDir, modules: ['virtio_net'], init: 'echo one' };
    const first = await buildInitramfs(options);
    const second = await buildInitramfs(options);
    expect(second.cached).toBe(true);
    expect(second.path).toBe(first.path);
    const changed = await buildInitramfs({ ...options, init: 'echo two' });
    expect(changed.cached).toBe(false);
    expect(changed.key).not.toBe(first.key);
  });

  it('is safe when several builds of the same inputs run at once', async () => {
    const options = { cacheDir, modules: ['virtio_console'], init: 'echo concurrent' };
    const results = await Promise.all([1, 2, 3].map(() => buildInitramfs(options)));
    expect(new Set(results.map((r) => r.path)).size).toBe(1);
    const entries = readNewcArchive(gunzipSync(readFileSync(results[0]!.path)));
    expect(entries.some((entry) => entry.name === 'init')).toBe(true);
  });

  it('includes node with every shared library ldd lists', async () => {
    const result = await buildInitramfs({ cacheDir, node: true });
    const names = new Set(
      readNewcArchive(gunzipSync(readFileSync(result.path))).map((e) => e.name),
    );
    expect(names.has('usr/bin/node')).toBe(true);
    expect(names.has('lib64/ld-linux-x86-64.so.2')).toBe(true);
    expect([...names].some((name) => /libstdc\+\+\.so\.6$/.test(name))).toBe(true);
  });

  it('gives typed errors for an unknown module and a missing host file', async () => {
    await expect(buildInitramfs({ cacheDir, modules: ['no_such_module'] })).rejects.toBeInstanceOf(
      ModuleNotFoundError,
    );
    await expect(
      buildInitramfs({ cacheDir, files: [{ path: '/x', source: '/nonexistent/file' }] }),
    ).rejects.toBeInstanceOf(HostFileNotFoundError);
    await expect(
      buildInitramfs({ cacheDir, files: [{ path: 'relative', content: '' }] }),
    ).rejects.toThrow(/files\[0\]\.path: must be absolute/);
  });
});
