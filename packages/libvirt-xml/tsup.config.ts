import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.config.base.js';

export default defineConfig([
  // Splitting puts shared modules in chunks, so errors thrown through a subpath are the same
  // classes as those exported from the main entry (instanceof works across subpaths).
  packageBuild({
    entry: {
      index: 'src/index.ts',
      'xml/index': 'src/xml/index.ts',
      'testing/index': 'src/testing/index.ts',
    },
    splitting: true,
  }),
]);
