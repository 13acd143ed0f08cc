import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The real `mv-formula` process (its sources through tsx), with a small heap: hostile files
// must end in a one-line error and status 1, never a stack, a hang or an out-of-memory abort.
const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cli = join(packageDir, 'src', 'cli.ts');

const HEAD = `apiVersion: multiverse-os.org/formula/v1alpha1
kind: Portal
name: hostile
category: application/test
boot:
  type: kernel
  kernel: /boot/vmlinuz
`;

let dir: string;

function mvFormula(...args: string[]) {
  const result = spawnSync(
    process.execPath,
    [
      '--max-old-space-size=128',
      '--conditions=@multiverse-os/source',
      '--import',
      'tsx',
      cli,
      ...args,
    ],
    { cwd: packageDir, encoding: 'utf8', timeout: 60_000 },
  );
  if (result.error) throw result.error;
  return result;
}

function formula(name: string, rest: string): string {
  const path = join(dir, name);
  writeFileSync(path, `${HEAD}${rest}`);
  return path;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'formula-cli-hostile-'));
  execFileSync('mkfifo', [join(dir, 'fifo.yaml')]);
  symlinkSync('/dev/zero', join(dir, 'zero.yaml'));
  mkdirSync(join(dir, 'folder.yaml'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('mv-formula on hostile input', () => {
  it('refuses extends: of a FIFO, /dev/zero and a directory, and a FIFO as the file, one line each', () => {
    const files = [
      formula('fifo-top.yaml', 'extends: ./fifo.yaml\n'),
      formula('zero-top.yaml', 'extends: ./zero.yaml\n'),
      formula('urandom-top.yaml', 'extends: /dev/urandom\n'),
      formula('folder-top.yaml', 'extends: ./folder.yaml\n'),
      join(dir, 'fifo.yaml'),
    ];
    const result = mvFormula('validate', ...files);
    expect(result.signal).toBeNull();
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).not.toMatch(/^\s+at /m);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(files.length);
    expect(lines[0]).toContain('fifo.yaml: is a FIFO');
    expect(lines[1]).toContain('zero.yaml: is a character device');
    expect(lines[2]).toContain('/dev/urandom: is not a formula file');
    expect(lines[3]).toContain('folder.yaml: is a directory');
    expect(lines[4]).toContain('fifo.yaml: is a FIFO');
  }, 90_000);

  it('refuses a multicast MAC in validate and in both compiles, located, without a stack', () => {
    const file = formula('mac.yaml', 'networks:\n  - { name: star0, mac: "01:00:10:00:00:01" }\n');
    for (const args of [
      ['validate'],
      ['compile', '--to', 'libvirt'],
      ['compile', '--to', 'qemu'],
    ]) {
      const result = mvFormula(...args, file);
      expect(result.status, args.join(' ')).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(`${file}:9:20: networks[0].mac: expected a unicast MAC`);
      expect(result.stderr).not.toMatch(/^\s+at /m);
    }
  }, 180_000);
});
