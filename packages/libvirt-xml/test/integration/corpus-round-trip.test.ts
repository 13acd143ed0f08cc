import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  parseDomain,
  parseNetwork,
  parseStoragePool,
  parseStorageVolume,
  serializeDomain,
  serializeNetwork,
  serializeStoragePool,
  serializeStorageVolume,
} from '../../src/index.js';
import {
  canonicalXml,
  type DocumentKind,
  mapLimit,
  requireTool,
  validateFiles,
} from '../../src/testing/index.js';
import { libvirtCorpusDir } from '../helpers/shared.js';

/**
 * libvirt's own test corpus (qemuxml2xmloutdata and friends): every file parses, serializes,
 * is canonically equal (libxml2's C14N) to the original, and still validates against
 * libvirt's schema. No allow-list: the two `*-invalid*` files only have to keep their verdict.
 */
const FOLDERS: Array<{ folder: string; kind: DocumentKind; roundTrip: (xml: string) => string }> = [
  { folder: 'domain', kind: 'domain', roundTrip: (x) => serializeDomain(parseDomain(x)) },
  { folder: 'network', kind: 'network', roundTrip: (x) => serializeNetwork(parseNetwork(x)) },
  {
    folder: 'storagepool',
    kind: 'storagepool',
    roundTrip: (x) => serializeStoragePool(parseStoragePool(x)),
  },
  {
    folder: 'storagevol',
    kind: 'storagevol',
    roundTrip: (x) => serializeStorageVolume(parseStorageVolume(x)),
  },
];

let outDir: string;
const corpus = libvirtCorpusDir();

beforeAll(async () => {
  requireTool('xmllint', 'libxml2-utils');
  outDir = await mkdtemp(join(tmpdir(), 'mv-libvirt-corpus-'));
});
afterAll(async () => {
  if (outDir) await rm(outDir, { recursive: true, force: true });
});

describe.each(FOLDERS)('libvirt 9.0 corpus: $folder', ({ folder, kind, roundTrip }) => {
  it('round-trips every file canonically and keeps it valid for libvirt', async () => {
    const names = readdirSync(join(corpus, folder))
      .filter((n) => n.endsWith('.xml'))
      .sort();
    expect(names.length).toBeGreaterThan(20);
    const inputs: string[] = [];
    const outputs: string[] = [];
    for (const name of names) {
      const original = readFileSync(join(corpus, folder, name), 'utf8');
      const written = roundTrip(original);
      const outPath = join(outDir, `${folder}-${name}`);
      await writeFile(outPath, written);
      inputs.push(join(corpus, folder, name));
      outputs.push(outPath);
    }
    // Canonical equality, by libxml2 rather than by this package's own parser.
    const mismatches: string[] = [];
    await mapLimit(names, 4, async (name, i) => {
      const [a, b] = await Promise.all([
        canonicalXml(readFileSync(inputs[i] as string, 'utf8')),
        canonicalXml(readFileSync(outputs[i] as string, 'utf8')),
      ]);
      if (a !== b) mismatches.push(`${folder}/${name}`);
    });
    expect(
      mismatches,
      `not canonically equal after the round trip: ${mismatches.join(', ')}`,
    ).toEqual([]);
    // The schema verdict must not change; only the files named *-invalid* may fail.
    const [before, after] = await Promise.all([
      validateFiles(inputs, kind),
      validateFiles(outputs, kind),
    ]);
    const invalid = names.filter((_, i) => after.has(outputs[i] as string));
    const changed = names.filter(
      (_, i) => before.has(inputs[i] as string) !== after.has(outputs[i] as string),
    );
    expect(changed, `schema verdict changed by the round trip: ${changed.join(', ')}`).toEqual([]);
    const unexpected = invalid.filter((n) => !n.includes('-invalid'));
    expect(unexpected, [...after.values()].join('\n')).toEqual([]);
    console.log(
      `libvirt corpus ${folder}: ${names.length} files round-tripped canonically equal; ${names.length - invalid.length} valid for virt-xml-validate, ${invalid.length} invalid on purpose (${invalid.join(', ') || 'none'})`,
    );
  });
});
