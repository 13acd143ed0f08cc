import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.config.base.js';

export default defineConfig([
  // Splitting puts shared modules in chunks, so errors thrown through ./protocol are the
  // same classes as those exported from the main entry (instanceof works across subpaths).
  packageBuild({
    entry: { index: 'src/index.ts', 'protocol/index': 'src/protocol/index.ts' },
    splitting: true,
  }),
  // The CLI is ESM only; the shebang comes from src/cli.ts itself.
  packageBuild({ entry: ['src/cli.ts'], format: ['esm'], dts: false, clean: false }),
]);
