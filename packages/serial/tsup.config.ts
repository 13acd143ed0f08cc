import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.config.base.js';

export default defineConfig([
  packageBuild({ entry: { index: 'src/index.ts', 'libvirt/index': 'src/libvirt/index.ts' } }),
  // The CLI is ESM only; the shebang comes from src/cli.ts itself.
  packageBuild({ entry: ['src/cli.ts'], format: ['esm'], dts: false, clean: false }),
]);
