// What the consumer test runs on an arm64 Node (qemu-user on x64 machines) for each native
// package that ships a linux-arm64 prebuild; same shape as programs.mjs, same runners. Each
// program loads the package as a user does (node-gyp-build picks prebuilds/linux-arm64/) and
// calls into the addon.
import assert from 'node:assert/strict';
import { closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { programs as x64Programs } from './programs.mjs';

export const programs = {
  // The same program as on x64: every call it makes is one qemu-user forwards.
  '@multiverse-os/vsock': x64Programs['@multiverse-os/vsock'],

  // Not the x64 program: Debian 12's qemu-user (7.2) has no openat2 and answers ENOSYS, so
  // Dir.open cannot run there. statx and getdents64 it forwards.
  async '@multiverse-os/fsat'({ load, work }) {
    assert.equal(process.arch, 'arm64', 'an arm64 Node');
    const fsat = await load('@multiverse-os/fsat');
    const binding = fsat.loadFsat();
    const c = binding.constants;
    // The kernel's arm64 numbers (x64 has O_DIRECTORY 0o200000): the arm64 build answers.
    assert.equal(c.O_DIRECTORY, 0o40000, 'O_DIRECTORY as arm64 defines it');
    const root = join(work, 'fsat-arm64');
    mkdirSync(join(root, 'inside'), { recursive: true });
    writeFileSync(join(root, 'inside', 'file.txt'), 'inside\n');

    const out = new BigInt64Array(fsat.STAT_BUFFER_LENGTH);
    fsat.check(binding.statx(c.AT_FDCWD, join(root, 'inside', 'file.txt'), 0, out), 'statx');
    const stat = fsat.decodeStat(out);
    assert.equal(stat.type, 'file');
    assert.equal(stat.size, 7n);

    const fd = openSync(join(root, 'inside'), 'r');
    try {
      const buffer = new Uint8Array(4096);
      const filled = fsat.check(binding.getdents(fd, buffer), 'getdents64');
      const names = fsat.parseDirents(buffer, filled).map((entry) => entry.name);
      assert.deepEqual(names.sort(), ['.', '..', 'file.txt']);
    } finally {
      closeSync(fd);
    }
  },
};
