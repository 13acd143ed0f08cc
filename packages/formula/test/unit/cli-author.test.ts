import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// An author outside the repository: the real `mv-formula` process, run from a folder with no
// catalog above it, so `extends: bases/debian` can only resolve from the catalog the package ships.
const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = join(packageDir, 'src', 'cli.ts');
// tsx as this repository has it: the author's folder has no node_modules.
const tsx = createRequire(join(packageDir, '..', '..', 'package.json')).resolve('tsx');

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'formula-author-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function mvFormula(...args: string[]) {
  const result = spawnSync(
    process.execPath,
    ['--conditions=@multiverse-os/source', '--import', pathToFileURL(tsx).href, cli, ...args],
    { cwd: dir, encoding: 'utf8', timeout: 60_000 },
  );
  if (result.error) throw result.error;
  return result;
}

describe('mv-formula for an author outside the repository', () => {
  it('new > brave.yaml, then validate and compile it as it is', () => {
    const scaffold = mvFormula('new', 'application/browser/brave');
    expect(scaffold.status).toBe(0);
    writeFileSync(join(dir, 'brave.yaml'), scaffold.stdout);
    const schema = /^# yaml-language-server: \$schema=(.+)$/m.exec(scaffold.stdout)?.[1];
    // No node_modules here: the schema the package ships, by its absolute path.
    expect(schema).toBe(join(packageDir, 'formula.schema.json'));
    const validate = mvFormula('validate', 'brave.yaml');
    expect(validate).toMatchObject({ status: 0, stdout: 'brave.yaml: ok\n', stderr: '' });
    const compile = mvFormula(
      'compile',
      'brave.yaml',
      '--to',
      'libvirt',
      '--run-dir',
      join(dir, 'run'),
    );
    expect(compile.status).toBe(0);
    expect(compile.stdout).toContain('<name>brave</name>');
    const written = mvFormula('new', 'service/web/caddy', '--out', 'caddy.yaml');
    expect(written).toMatchObject({ status: 0, stdout: 'caddy.yaml: written\n' });
    expect(readFileSync(join(dir, 'caddy.yaml'), 'utf8')).toContain('name: caddy');
    // --out never overwrites an author's file.
    const again = mvFormula('new', 'service/web/caddy', '--out', 'caddy.yaml');
    expect(again.status).toBe(2);
    expect(again.stderr).toBe('mv-formula: --out caddy.yaml: cannot be written (EEXIST)\n');
  }, 120_000);
});
