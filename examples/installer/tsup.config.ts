import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.config.base.js';

export default defineConfig([
  packageBuild(),
  packageBuild({ entry: ['src/cli.ts'], format: ['esm'], dts: false, clean: false }),
]);
