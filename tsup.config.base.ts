import type { Options } from 'tsup';

/**
 * The build every package shares: ESM and CJS side by side with their own declaration files
 * (`.d.ts` for `import`, `.d.cts` for `require`), so the `exports` map can point each
 * condition at matching types.
 */
export function packageBuild(overrides: Options = {}): Options {
  return {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    platform: 'node',
    splitting: false,
    shims: true,
    tsconfig: 'tsconfig.build.json',
    ...overrides,
  };
}
