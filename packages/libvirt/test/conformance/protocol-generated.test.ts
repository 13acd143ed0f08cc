import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireShared } from '../../../../scripts/shared-corpus.mjs';
import { generate } from '../../scripts/xdr/generate.js';
import { compareWithReference, parseStructsReference } from '../../scripts/xdr/structs.js';
import { remoteProcedures, remoteTypes } from '../../src/generated/index.js';

const packageDir = join(import.meta.dirname, '..', '..');
const protocolDir = requireShared('libvirt-9.0/protocol', "libvirt 9.0's protocol definitions");

describe('generated protocol code', () => {
  it('is up to date with ../shared/libvirt-9.0/protocol (run `pnpm --filter @multiverse-os/libvirt gen:protocol` if this fails)', () => {
    const files = generate(protocolDir);
    expect([...files.keys()].sort()).toEqual([
      'index.ts',
      'keepalive.ts',
      'qemu.ts',
      'remote.ts',
      'virnet.ts',
    ]);
    for (const [name, text] of files) {
      const checkedIn = readFileSync(join(packageDir, 'src', 'generated', name), 'utf8');
      expect(checkedIn === text, `src/generated/${name} differs from a fresh generation`).toBe(
        true,
      );
    }
  });

  it("lays out every struct, union and enum as libvirt's remote_protocol-structs does", () => {
    const reference = parseStructsReference(
      readFileSync(join(protocolDir, 'remote_protocol-structs'), 'utf8'),
    );
    // The reference is libvirt 9.0's full list: ~690 structs and the two enums.
    expect(reference.structs.size).toBeGreaterThan(680);
    expect(reference.enums.size).toBe(2);
    expect(compareWithReference(remoteTypes, reference)).toEqual([]);
    // And the comparison sees a difference: `hv_ver` as a 32-bit int instead of a hyper.
    const altered = {
      ...remoteTypes,
      remote_connect_get_version_ret: {
        kind: 'struct',
        fields: [{ name: 'hv_ver', type: { kind: 'uint' } }],
      },
    } as const;
    expect(compareWithReference(altered, reference)).toEqual([
      'remote_connect_get_version_ret: ours {u_int hv_ver} vs reference {uint64_t hv_ver}',
    ]);
  });

  it('gives every procedure of remote_procedure its number and argument/result types', () => {
    const reference = parseStructsReference(
      readFileSync(join(protocolDir, 'remote_protocol-structs'), 'utf8'),
    );
    const numbers = reference.enums.get('remote_procedure')!;
    expect(Object.keys(remoteProcedures)).toHaveLength(numbers.size);
    expect(remoteProcedures.domainLookupByName).toEqual({
      id: numbers.get('REMOTE_PROC_DOMAIN_LOOKUP_BY_NAME'),
      args: 'remote_domain_lookup_by_name_args',
      ret: 'remote_domain_lookup_by_name_ret',
      message: null,
      priority: 'high',
      stream: null,
    });
    expect(remoteProcedures.domainOpenConsole.stream).toBe('read');
    expect(remoteProcedures.storageVolUpload.stream).toBe('write');
    expect(remoteProcedures.domainEventCallbackLifecycle.message).toBe(
      'remote_domain_event_callback_lifecycle_msg',
    );
    // Every struct a procedure names exists in the reference.
    for (const p of Object.values(remoteProcedures)) {
      for (const s of [p.args, p.ret, p.message])
        if (s) expect(reference.structs.has(s), s).toBe(true);
    }
  });
});
