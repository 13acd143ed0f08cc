import { defineConfig } from 'vitest/config';

// Tests run on the TypeScript sources, not on dist/: every package's `exports` map has a
// `@multiverse-os/source` condition that points at `src/`, and this resolves it.
const sourceCondition = '@multiverse-os/source';

export default defineConfig({
  resolve: { conditions: [sourceCondition, 'module', 'node', 'default'] },
  ssr: { resolve: { conditions: [sourceCondition], externalConditions: [sourceCondition] } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: [
            'packages/*/src/**/*.test.ts',
            'packages/*/test/unit/**/*.test.ts',
            'examples/*/test/unit/**/*.test.ts',
          ],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: [
            'packages/*/test/integration/**/*.test.ts',
            'examples/*/test/integration/**/*.test.ts',
          ],
          // Integration tests boot QEMU guests under TCG; the build machines have 2 cores,
          // so at most two test files (and so about two guests) run at once.
          maxWorkers: 2,
          // A project with its own maxWorkers must run in its own group, after the unit tests.
          sequence: { groupOrder: 1 },
          testTimeout: 180_000,
          hookTimeout: 180_000,
          teardownTimeout: 30_000,
        },
      },
      {
        extends: true,
        test: {
          // Conformance against external corpora (../shared: QEMU's QAPI sources, libvirt's
          // test data), which a clone elsewhere does not have; scripts/test.mjs runs this
          // project only where they are (and requires them under CI=true).
          name: 'conformance',
          include: [
            'packages/*/test/conformance/**/*.test.ts',
            'examples/*/test/conformance/**/*.test.ts',
          ],
          maxWorkers: 2,
          sequence: { groupOrder: 2 },
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
