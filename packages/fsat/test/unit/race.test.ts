import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, readSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadFsat } from '../../src/binding.js';
import { Dir } from '../../src/dir.js';
import { useTempDirs } from './support.js';

const c = loadFsat().constants;
const dirs = useTempDirs();

/**
 * Another process swaps `root/swap` between a real directory and a symlink to the outside
 * as fast as it can, while this one opens and creates through it. Path-checking code
 * (realpath, then open by path) loses this race hundreds of times in a few seconds; the
 * kernel's RESOLVE_BENEATH must lose it never.
 */
describe('a directory swapped for an outside symlink during lookups', () => {
  it('never reads or writes outside', { timeout: 30_000 }, async () => {
    mkdirSync(join(dirs.root, 'real'), { recursive: true });
    mkdirSync(dirs.outside, { recursive: true });
    writeFileSync(join(dirs.root, 'real', 'secret'), 'inside');
    writeFileSync(join(dirs.outside, 'secret'), 'OUTSIDE');
    // The swapper: rename(2) is atomic, so `swap` is always one or the other.
    const script = `
      const fs = require('node:fs');
      const root = ${JSON.stringify(dirs.root)};
      fs.symlinkSync(${JSON.stringify(dirs.outside)}, root + '/link');
      fs.mkdirSync(root + '/swap'); fs.writeFileSync(root + '/swap/secret', 'inside');
      const end = Date.now() + 1500;
      while (Date.now() < end) {
        fs.renameSync(root + '/swap', root + '/parked');
        fs.renameSync(root + '/link', root + '/swap');
        fs.renameSync(root + '/swap', root + '/link');
        fs.renameSync(root + '/parked', root + '/swap');
        // Hold the real directory a moment, so lookups also succeed on a loaded machine.
        const hold = process.hrtime.bigint() + 50000n;
        while (process.hrtime.bigint() < hold);
      }`;
    const swapper = spawn(process.execPath, ['-e', script], { stdio: 'inherit' });
    const exited = new Promise<number | null>((resolve) => swapper.on('exit', resolve));
    using root = Dir.open(dirs.root);
    const buffer = Buffer.alloc(16);
    let reads = 0;
    let attempts = 0;
    let escapes = 0;
    let running = true;
    void exited.then(() => {
      running = false;
    });
    while (running) {
      attempts++;
      const fd = root.tryOpen('swap/secret', c.O_RDONLY);
      if (fd >= 0) {
        const n = readSync(fd, buffer, 0, 16, 0);
        closeSync(fd);
        reads++;
        if (buffer.subarray(0, n).toString() !== 'inside') escapes++;
      }
      const created = root.tryOpen('swap/planted', c.O_WRONLY | c.O_CREAT | c.O_NOFOLLOW, 0o600);
      if (created >= 0) closeSync(created);
      await new Promise(setImmediate); // let the exit event through
    }
    expect(await exited).toBe(0);
    expect(escapes).toBe(0);
    // The race did happen on the inside too (a test where every open failed would prove nothing).
    expect(reads, `${attempts} attempts`).toBeGreaterThan(0);
    expect(() => Dir.open(dirs.outside).stat('planted')).toThrow(/ENOENT/);
  });
});
