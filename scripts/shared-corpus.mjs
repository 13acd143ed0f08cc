// Where the external corpora live: QEMU's QAPI schema sources (qapi/) and libvirt 9.0's
// test data (libvirt-9.0/). They are not part of the repository; the conformance tier
// (test/conformance/ in each package) reads them, and only runs where they are.
//   MULTIVERSE_SHARED_DIR   overrides the default, ../shared beside the repository
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** What the conformance tier needs, each as a path under the shared folder. */
export const SHARED_CORPORA = [
  { path: 'qapi', what: "QEMU's QAPI schema sources" },
  { path: 'libvirt-9.0/domain', what: "libvirt 9.0's domain test XML" },
  { path: 'libvirt-9.0/qmp-replies', what: "libvirt 9.0's recorded QMP sessions" },
  { path: 'libvirt-9.0/protocol', what: "libvirt 9.0's RPC protocol definitions" },
];

export function sharedDir() {
  return resolve(process.env.MULTIVERSE_SHARED_DIR ?? join(repoRoot, '..', 'shared'));
}

/** The corpora that are missing (empty when the conformance tier can run). */
export function missingCorpora() {
  return SHARED_CORPORA.filter(({ path }) => !existsSync(join(sharedDir(), path)));
}

/** `sharedDir()/subpath`; throws (never skips) naming what is missing and where. */
export function requireShared(subpath, what) {
  const path = join(sharedDir(), subpath);
  if (!existsSync(path)) {
    throw new Error(
      `${what} not found at ${path}: the conformance tier needs ../shared beside the ` +
        'repository (or MULTIVERSE_SHARED_DIR)',
    );
  }
  return path;
}
