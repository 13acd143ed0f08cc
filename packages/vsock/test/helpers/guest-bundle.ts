import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const addonPath = join(packageDir, 'build', 'Release', 'vsock_native.node');

/**
 * The compiled addon: built by the package's install script; built here when missing (a
 * fresh clone whose install ran without it) so the guest tests never silently lack it.
 */
export function ensureAddon(): string {
  if (!existsSync(addonPath)) {
    execFileSync(
      process.execPath,
      [join(packageDir, '..', '..', 'scripts', 'native-addon.mjs'), 'build'],
      {
        cwd: packageDir,
        stdio: 'inherit',
      },
    );
  }
  if (!existsSync(addonPath))
    throw new Error(`the vsock addon did not build: ${addonPath} is missing`);
  return addonPath;
}

/** Bundles a guest script and the package's sources it imports into one ESM file for the guest. */
export async function bundleGuestScript(entry: string): Promise<string> {
  const outfile = join(mkdtempSync(join(tmpdir(), 'mv-vsock-guest-')), 'script.mjs');
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['@multiverse-os/source'],
    logLevel: 'error',
  });
  return outfile;
}

/** The files that put the script and the addon at /opt/vsock in the guest. */
export function guestFiles(script: string): { path: string; source: string }[] {
  return [
    { path: '/opt/vsock/script.mjs', source: script },
    { path: '/opt/vsock/vsock_native.node', source: ensureAddon() },
  ];
}

export const GUEST_MODULES = ['vsock', 'vsock_loopback'];
export const GUEST_ENV = 'MULTIVERSE_VSOCK_ADDON=/opt/vsock/vsock_native.node';

export interface GuestResult {
  name: string;
  ok: boolean;
  detail: string;
  ms: number;
}

/** `VSOCK-RESULT {json}` lines from the console transcript. */
export function parseResults(output: string): GuestResult[] {
  const results: GuestResult[] = [];
  for (const match of output.matchAll(/VSOCK-RESULT (\{.*\})\r?\n/g)) {
    results.push(JSON.parse(match[1]!) as GuestResult);
  }
  return results;
}
