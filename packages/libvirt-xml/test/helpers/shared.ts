import { requireShared } from '../../../../scripts/shared-corpus.mjs';

/** libvirt 9.0's test corpus (`../shared/libvirt-9.0`); throws (never skips) when absent. */
export function libvirtCorpusDir(): string {
  return requireShared(
    'libvirt-9.0',
    "libvirt 9.0's test corpus (domain/, network/, storagepool/, storagevol/)",
  );
}
