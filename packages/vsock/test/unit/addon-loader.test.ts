import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { VsockAddonError } from '../../src/index.js';
import { ADDON_PATH_ENV, resolveAddonPath } from '../../src/native/addon.js';

const saved = process.env[ADDON_PATH_ENV];
const folders: string[] = [];

/** A package folder as npm unpacks it, with the given addon files. */
function packageFolder(files: string[]): string {
  const root = mkdtempSync(join(tmpdir(), 'mv-vsock-loader-'));
  folders.push(root);
  writeFileSync(join(root, 'package.json'), '{"name":"@multiverse-os/vsock"}');
  writeFileSync(join(root, 'binding.gyp'), '{}');
  for (const file of files) {
    mkdirSync(join(root, file, '..'), { recursive: true });
    writeFileSync(join(root, file), '');
  }
  return root;
}

function caught(run: () => unknown): VsockAddonError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(VsockAddonError);
    return error as VsockAddonError;
  }
  throw new Error('expected a VsockAddonError');
}

afterEach(() => {
  if (saved === undefined) delete process.env[ADDON_PATH_ENV];
  else process.env[ADDON_PATH_ENV] = saved;
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

describe('resolveAddonPath', () => {
  it('picks the prebuild for this platform and arch from prebuilds/', () => {
    delete process.env[ADDON_PATH_ENV];
    const file = `prebuilds/${process.platform}-${process.arch}/@multiverse-os+vsock.glibc.node`;
    const root = packageFolder([file]);
    expect(resolveAddonPath(root)).toBe(join(root, file));
  });

  it('prefers a local build (build/Release) to the prebuild', () => {
    delete process.env[ADDON_PATH_ENV];
    const root = packageFolder([
      `prebuilds/${process.platform}-${process.arch}/@multiverse-os+vsock.glibc.node`,
      'build/Release/vsock_native.node',
    ]);
    expect(resolveAddonPath(root)).toBe(join(root, 'build/Release/vsock_native.node'));
  });

  it('names the platform, the arch and the shipped prebuilds when nothing fits', () => {
    delete process.env[ADDON_PATH_ENV];
    const root = packageFolder(['prebuilds/sunos-sparc/@multiverse-os+vsock.glibc.node']);
    const error = caught(() => resolveAddonPath(root));
    expect(error.code).toBe('ERR_VSOCK_ADDON');
    expect(error.message).toContain(
      `no vsock native addon for ${process.platform}-${process.arch}`,
    );
    expect(error.message).toContain('ships prebuilds for sunos-sparc');
    expect(error.message).toContain(join(root, 'build', 'Release'));
    expect(caught(() => resolveAddonPath(packageFolder([]))).message).toContain(
      'ships no prebuilds',
    );
  });

  it('follows MULTIVERSE_VSOCK_ADDON, and names it when the file is missing', () => {
    const root = packageFolder(['guest/vsock_native.node']);
    process.env[ADDON_PATH_ENV] = join(root, 'guest/vsock_native.node');
    expect(resolveAddonPath(undefined)).toBe(join(root, 'guest/vsock_native.node'));
    process.env[ADDON_PATH_ENV] = join(root, 'missing.node');
    const error = caught(() => resolveAddonPath(root));
    expect(error.message).toBe(`${ADDON_PATH_ENV}=${join(root, 'missing.node')}: no such file`);
  });

  it('asks for MULTIVERSE_VSOCK_ADDON when the package folder is unknown (bundled code)', () => {
    delete process.env[ADDON_PATH_ENV];
    expect(caught(() => resolveAddonPath(undefined)).message).toContain(
      `set ${ADDON_PATH_ENV} to the path of its vsock_native.node`,
    );
  });
});
