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

/**
 * Walks every typed getter over a parsed corpus domain: nothing may throw, and reading must
 * not change the document (missing sections are not added by a read).
 */
function readEverything(xml: string): void {
  const d = parseDomain(xml);
  const before = d.toXml();
  const { os, cpu, clock, features, memoryBacking, devices } = d;
  const values: unknown[] = [
    d.type,
    d.name,
    d.uuid,
    d.title,
    d.description,
    d.memory,
    d.currentMemory,
    d.maxMemory,
    d.vcpus,
    d.currentVcpus,
    d.onPoweroff,
    d.onReboot,
    d.onCrash,
    d.pm,
    d.keywrap,
    d.qemuCommandline,
    os.type,
    os.arch,
    os.machine,
    os.firmware,
    os.loader,
    os.nvram,
    os.kernel,
    os.initrd,
    os.cmdline,
    os.boot,
    os.bootmenu,
    cpu.mode,
    cpu.model,
    cpu.topology,
    cpu.features,
    clock.offset,
    clock.timers,
    features.names,
    memoryBacking.hugepages,
    memoryBacking.sourceType,
    devices.emulator,
  ];
  for (const disk of devices.disks) {
    values.push(
      disk.device,
      disk.source,
      disk.target,
      disk.bus,
      disk.format,
      disk.backingFile,
      disk.address?.value,
      disk.bootOrder,
    );
  }
  for (const fs of devices.filesystems)
    values.push(fs.accessmode, fs.driver, fs.source, fs.target, fs.readonly);
  for (const nic of devices.interfaces)
    values.push(nic.mac, nic.model, nic.source, nic.linkState, nic.address?.value);
  for (const c of [...devices.serials, ...devices.consoles, ...devices.channels])
    values.push(c.type, c.sourcePath, c.targetName);
  for (const h of devices.hostdevs) values.push(h.mode, h.managed, h.sourceAddress?.value);
  for (const m of devices.memories) values.push(m.model, m.size, m.node, m.labelSize, m.sourcePath);
  for (const g of devices.graphics) values.push(g.port, g.listen);
  for (const s of devices.shmems) values.push(s.name, s.size, s.serverPath);
  values.push(
    devices.vsock?.cid,
    devices.vsock?.auto,
    devices.iommu?.model,
    devices.memballoon?.model,
  );
  for (const list of [
    devices.controllers,
    devices.videos,
    devices.sounds,
    devices.rngs,
    devices.tpms,
    devices.watchdogs,
    devices.panics,
  ]) {
    for (const item of list) values.push(item.model);
  }
  if (d.toXml() !== before) throw new Error(`reading the typed model changed ${d.name}`);
  if (values.length < 40) throw new Error('typed read skipped fields');
}

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
      if (folder === 'domain') readEverything(original);
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

describe('libvirt 9.0 corpus: edited domains', () => {
  it('stay valid after typed edits, and the edits read back', async () => {
    const names = readdirSync(join(corpus, 'domain'))
      .filter((n) => n.endsWith('.xml') && !n.includes('-invalid'))
      .sort();
    const outputs: string[] = [];
    const title = `edited <&"'> title`;
    for (const name of names) {
      const d = parseDomain(readFileSync(join(corpus, 'domain', name), 'utf8'));
      d.name = `${d.name}-edited`;
      d.title = title;
      d.description = 'line one\nline two & more';
      d.rng({ backend: '/dev/urandom' });
      const written = d.toXml();
      const back = parseDomain(written);
      expect(back.title).toBe(title);
      expect(back.devices.rngs.at(-1)?.model).toBe('virtio');
      const outPath = join(outDir, `edited-${name}`);
      await writeFile(outPath, written);
      outputs.push(outPath);
    }
    const failures = await validateFiles(outputs, 'domain');
    expect([...failures.values()].join('\n')).toBe('');
    console.log(
      `libvirt corpus: ${names.length} domains edited through the typed model, all still valid`,
    );
  });
});
