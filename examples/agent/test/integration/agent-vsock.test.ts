import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootGuest, buildInitramfs, type Guest } from '@multiverse-os/image';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleGuestScript, guestAgentAddons, packageRoot } from '../../src/host/guest-bundle.js';
import { generateIdentity } from '../../src/tls/identity.js';

// One guest, one node process (test/guest/agent-vsock.ts, bundled as the agent is, with the
// native addons the agent ships: vsock and fsat), native vsock over CID 1 (vsock_loopback): a
// @multiverse-os/p9 server that the guest's kernel mounts with trans=fd on the fd the agent's
// mount method hands to mount(8); then the agent protocol itself, serveAgent on a vsock server
// and AgentClient on a vsock connection, exec and the file methods.

/** The guest script reads the keys it needs from this fw_cfg file (it has no openssl). */
const KEYS_FW_CFG_NAME = 'opt/org.multiverse-os/agent-vsock-test-keys';

interface GuestResult {
  name: string;
  ok: boolean;
  detail: string;
}

const checks = [
  'the agent mounts vsock:1:5640 with trans=fd',
  'a file in the p9 backend is read through the mount',
  'files written through the mount land in the p9 backend',
  'umount ends the connection: the agent kept no copy of the fd',
  'refusals: fstab: true, no listener, bad CID',
  'mount fails cleanly when the server is not 9P',
  'the host keys arrive by fw_cfg',
  'the host client reaches the agent on vsock:1:5642 (TLS, pinned keys)',
  'exec over vsock: output streamed back through the credit window',
  'file methods open beneath their root with the bundled fsat addon; a dangling link is refused',
  'the host closes: the agent session ends',
];

const dir = mkdtempSync(join(tmpdir(), 'mv-agent-vsock-'));
let guest: Guest | undefined;
let results: GuestResult[] = [];
let transcript = '';

beforeAll(async () => {
  const script = await bundleGuestScript(
    join(packageRoot(), 'test', 'guest', 'agent-vsock.ts'),
    join(dir, 'agent-vsock.cjs'),
  );
  const addons = guestAgentAddons();
  const [host, portal] = await Promise.all([generateIdentity('host'), generateIdentity('portal')]);
  const keysFile = join(dir, 'keys.json');
  writeFileSync(keysFile, JSON.stringify({ host, portal }), { mode: 0o600 });
  // Fresh keys every run, outside the initramfs: it stays cached.
  const initramfs = await buildInitramfs({
    modules: ['9p', '9pnet', '9pnet_fd', 'vsock', 'vsock_loopback', 'qemu_fw_cfg'],
    node: true,
    files: [{ path: '/opt/agent-vsock.cjs', source: script }, ...addons.files],
    init: `${addons.env} /usr/bin/node /opt/agent-vsock.cjs`,
  });
  guest = await bootGuest({
    initramfs,
    memory: 512,
    timeout: 170_000,
    extraArgs: ['-fw_cfg', `name=${KEYS_FW_CFG_NAME},file=${keysFile}`],
  });
  // About 16 s on an idle machine (node adds ~6 s of boot under TCG); the rest is margin for
  // CI running other guests at the same time.
  await guest.waitForOutput(/VSOCK-DONE\r?\n/, { timeout: 160_000 });
  transcript = guest.output();
  results = [...transcript.matchAll(/VSOCK-RESULT (\{.*\})\r?\n/g)].map(
    (m) => JSON.parse(m[1] ?? '{}') as GuestResult,
  );
  console.log(results.map((r) => `${r.ok ? 'ok  ' : 'FAIL'} ${r.name}: ${r.detail}`).join('\n'));
}, 180_000);

afterAll(async () => {
  await guest?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the agent over native vsock in a real guest: its mount of a 9P share (trans=fd), then its own protocol', () => {
  it.each(checks)('%s', (name) => {
    const found = results.find((r) => r.name === name);
    if (!found) {
      throw new Error(
        `the guest reported no result for "${name}"; console:\n${transcript.slice(-4000)}`,
      );
    }
    expect(found.ok, found.detail).toBe(true);
  });

  it('the guest script itself did not fail', () => {
    expect(results.find((r) => r.name === 'suite')).toBeUndefined();
    expect(results.map((r) => r.name)).toEqual(checks);
  });
});
