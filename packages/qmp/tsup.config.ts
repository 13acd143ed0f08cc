import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.config.base.js';

export default defineConfig([
  // Splitting puts shared modules in chunks, so errors thrown through ./machine are the
  // same classes as those exported from the main entry (instanceof works across subpaths).
  packageBuild({
    entry: {
      index: 'src/index.ts',
      'protocol/index': 'src/protocol/index.ts',
      'machine/index': 'src/machine/index.ts',
    },
    splitting: true,
  }),
  // The shell is ESM only; the shebang comes from src/shell/cli.ts itself.
  packageBuild({
    entry: { 'shell/cli': 'src/shell/cli.ts' },
    format: ['esm'],
    dts: false,
    clean: false,
  }),
]);
