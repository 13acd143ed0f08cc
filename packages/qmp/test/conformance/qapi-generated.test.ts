import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireShared } from '../../../../scripts/shared-corpus.mjs';
import { generate } from '../../scripts/qapi/generate.js';
import { qapiCommands, qapiEvents } from '../../src/generated/index.js';

const packageDir = join(import.meta.dirname, '..', '..');
const qapiRoot = requireShared('qapi', "QEMU's QAPI schema sources");

describe('generated QAPI types', () => {
  it('are up to date with ../shared/qapi (run `pnpm gen:qapi` if this fails)', () => {
    for (const [name, text] of generate(qapiRoot)) {
      const checkedIn = readFileSync(join(packageDir, 'src', 'generated', name), 'utf8');
      expect(
        checkedIn === text,
        `src/generated/${name} differs from a fresh generation: run \`pnpm --filter @multiverse-os/qmp gen:qapi\``,
      ).toBe(true);
    }
  });

  it('carry cross-version metadata', () => {
    expect(qapiCommands['query-status']?.versions).toEqual(['7.2', '8.2', '9.1']);
    expect(qapiCommands['query-yank']?.allowOob).toBe(true);
    expect(qapiCommands['nbd-server-remove']?.deprecated).toBe(true);
    expect(qapiEvents.SHUTDOWN?.since).toBe('0.12');
    // Present in 9.1's schema only, so a 9.1 user is not stuck with 7.2's vocabulary.
    const newer = Object.entries(qapiCommands).filter(([, i]) => !i.versions.includes('7.2'));
    expect(newer.length).toBeGreaterThan(10);
  });
});
