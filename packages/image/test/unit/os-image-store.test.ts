import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DigestMismatchError,
  fetchImage,
  ImageFetchError,
  InvalidOptionError,
  type OsImageManifest,
  OsImageStore,
  parseDigest,
  selectImage,
} from '../../src/index.js';
import { temporaryDir } from '../helpers/temporary-dir.js';

const KEY_A = 'a'.repeat(32);

function fakeBuild(store: OsImageStore, key: string): string {
  const dir = store.makeBuildDir(key);
  for (const name of ['rootfs.qcow2', 'vmlinuz', 'initrd.img'])
    writeFileSync(join(dir, name), name);
  const manifest = {
    formatVersion: 1,
    key,
    suite: 'bookworm',
    packages: [],
  } as unknown as OsImageManifest;
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  return dir;
}

describe('OsImageStore', () => {
  it('publishes a build folder by renaming it; a second publish of the key keeps the first', () => {
    const store = new OsImageStore(temporaryDir('mv-store-'));
    expect(store.get(KEY_A)).toBeUndefined();
    const first = fakeBuild(store, KEY_A);
    expect(store.publish(first, KEY_A).published).toBe(true);
    expect(existsSync(first)).toBe(false);
    const second = fakeBuild(store, KEY_A);
    const again = store.publish(second, KEY_A);
    expect(again.published).toBe(false);
    expect(existsSync(second)).toBe(false);
    expect(again.image.rootfs).toBe(join(store.root, KEY_A, 'rootfs.qcow2'));
    expect(store.list().map((e) => e.key)).toEqual([KEY_A]);
  });

  it('ignores incomplete entries and refuses keys that are not keys', () => {
    const store = new OsImageStore(temporaryDir('mv-store-'));
    mkdirSync(join(store.root, KEY_A));
    writeFileSync(join(store.root, KEY_A, 'manifest.json'), JSON.stringify({ key: KEY_A }));
    expect(store.get(KEY_A)).toBeUndefined();
    expect(store.list()).toEqual([]);
    expect(() => store.get('../../etc')).toThrow(/not an image key/);
  });

  it('prunes leftovers of dead builds, keeps live ones, and removes images by age or all', async () => {
    const store = new OsImageStore(temporaryDir('mv-store-'));
    store.publish(fakeBuild(store, KEY_A), KEY_A);
    const live = store.makeBuildDir('b'.repeat(32));
    // A build folder of a process that has exited.
    const dead = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => dead.once('exit', resolve));
    const stale = join(store.root, `.build-${'c'.repeat(32)}-${dead.pid}-XYZ`);
    mkdirSync(stale);
    expect(store.prune().removed).toEqual([stale]);
    expect(existsSync(live)).toBe(true);
    expect(store.prune({ unusedForMs: 60_000 }).removed).toEqual([]);
    const later = new Date(Date.now() + 120_000);
    expect(store.prune({ unusedForMs: 60_000, now: later }).removed).toEqual([
      join(store.root, KEY_A),
    ]);
    store.publish(fakeBuild(store, KEY_A), KEY_A);
    expect(store.prune({ all: true }).removed).toEqual([join(store.root, KEY_A)]);
  });
});

describe('fetchImage', () => {
  const content = Buffer.from('a qcow2 image, or so it says\n'.repeat(1000));
  const sha256 = `sha256:${createHash('sha256').update(content).digest('hex')}`;
  const sha512 = `sha512:${createHash('sha512').update(content).digest('hex')}`;
  const wrong = `sha256:${'0'.repeat(64)}`;
  const server = createServer((request, response) => {
    if (request.url === '/image.qcow2') response.end(content);
    else {
      response.statusCode = 404;
      response.end();
    }
  });
  let base = '';
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const cacheDir = () => temporaryDir('mv-fetch-');
  const downloads = (dir: string) => readdirSync(join(dir, 'downloads'));

  it('downloads, verifies and caches; the second fetch reads nothing', async () => {
    const dir = cacheDir();
    const first = await fetchImage(
      { location: `${base}/image.qcow2`, digest: sha256 },
      { cacheDir: dir },
    );
    expect(first.cached).toBe(false);
    expect(readFileSync(first.path)).toEqual(content);
    const second = await fetchImage(
      { location: `${base}/image.qcow2`, digest: sha256 },
      { cacheDir: dir },
    );
    expect(second).toEqual({ ...first, cached: true });
    expect(downloads(dir)).toHaveLength(1);
  });

  it('verifies local files by path and file:// with sha512', async () => {
    const dir = cacheDir();
    const file = join(dir, 'local.qcow2');
    writeFileSync(file, content);
    expect((await fetchImage({ location: file, digest: sha512 }, { cacheDir: dir })).cached).toBe(
      false,
    );
    expect(
      (await fetchImage({ location: pathToFileURL(file).href, digest: sha512 }, { cacheDir: dir }))
        .cached,
    ).toBe(true);
  });

  it('a wrong digest is DigestMismatchError and leaves no file behind', async () => {
    for (const location of [`${base}/image.qcow2`]) {
      const dir = cacheDir();
      const error = await fetchImage({ location, digest: wrong }, { cacheDir: dir }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DigestMismatchError);
      expect((error as DigestMismatchError).code).toBe('DIGEST_MISMATCH');
      expect((error as DigestMismatchError).actual).toBe(sha256);
      expect(downloads(dir)).toEqual([]);
    }
  });

  it('HTTP errors, oversized files and missing files are ImageFetchError with nothing left', async () => {
    const dir = cacheDir();
    await expect(
      fetchImage({ location: `${base}/missing`, digest: sha256 }, { cacheDir: dir }),
    ).rejects.toThrow(/HTTP 404/);
    await expect(
      fetchImage(
        { location: `${base}/image.qcow2`, digest: sha256 },
        { cacheDir: dir, maxBytes: 100 },
      ),
    ).rejects.toThrow(ImageFetchError);
    await expect(
      fetchImage({ location: '/nonexistent/x.qcow2', digest: sha256 }, { cacheDir: dir }),
    ).rejects.toThrow(/not a regular file/);
    await expect(
      fetchImage({ location: '/dev/zero', digest: sha256 }, { cacheDir: dir }),
    ).rejects.toThrow(/not a regular file/);
    expect(downloads(dir)).toEqual([]);
  });

  it('refuses plain HTTP off loopback, bad digests and unknown arches before any I/O', async () => {
    await expect(fetchImage({ location: 'http://example.org/x', digest: sha256 })).rejects.toThrow(
      InvalidOptionError,
    );
    await expect(fetchImage({ location: 'relative/x', digest: sha256 })).rejects.toThrow(
      InvalidOptionError,
    );
    expect(() => parseDigest('md5:abc')).toThrow(/sha256:<64 hex digits>/);
    expect(() => parseDigest(`sha256:${'0'.repeat(63)}`)).toThrow(InvalidOptionError);
    expect(() => parseDigest(`sha512:${'0'.repeat(64)}`)).toThrow(InvalidOptionError);
    await expect(
      fetchImage({ location: '/x', digest: sha256, arch: 'mips' as never }),
    ).rejects.toThrow(/x86_64 or aarch64/);
  });

  it('selects the image for an architecture', () => {
    const images = [
      { location: 'https://x/arm.qcow2', digest: sha256, arch: 'aarch64' as const },
      { location: 'https://x/amd.qcow2', digest: sha256, arch: 'x86_64' as const },
    ];
    expect(selectImage(images, 'x86_64').location).toBe('https://x/amd.qcow2');
    expect(selectImage(images, 'aarch64').location).toBe('https://x/arm.qcow2');
    expect(() => selectImage(images.slice(0, 1), 'x86_64')).toThrow(/no image for x86_64/);
  });
});
