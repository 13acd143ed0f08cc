import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';

/**
 * A fresh temporary directory per test (call at describe level): `outside` beside `root`,
 * so escapes have somewhere to land that the tests can check.
 */
export function useTempDirs(): { readonly root: string; readonly outside: string } {
  let base = '';
  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'fsat-'));
  });
  afterEach(() => rmSync(base, { recursive: true, force: true }));
  return {
    get root() {
      return join(base, 'root');
    },
    get outside() {
      return join(base, 'outside');
    },
  };
}
