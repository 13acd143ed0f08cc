import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.config.base.js';

export default defineConfig([
  packageBuild({ entry: { index: 'src/index.ts', 'machine/index': 'src/machine/index.ts' } }),
  // The shell is ESM only; the shebang comes from src/shell/cli.ts itself.
  packageBuild({
    entry: { 'shell/cli': 'src/shell/cli.ts' },
    format: ['esm'],
    dts: false,
    clean: false,
  }),
]);
