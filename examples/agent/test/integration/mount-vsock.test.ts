import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootGuest, buildInitramfs, type Guest } from '@multiverse-os/image';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleGuestScript, guestVsockAddon, packageRoot } from '../../src/host/guest-bundle.js';

// One guest: a @multiverse-os/p9 server on vsock and the agent's mount method in one node
// process (test/guest/mount-vsock.ts, bundled as the agent is), over CID 1 (vsock_loopback):
// the guest's kernel mounts the share with trans=fd on the fd the agent hands to mount(8).

interface MountResult {
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
];

let guest: Guest | undefined;
let results: MountResult[] = [];
let transcript = '';

beforeAll(async () => {
  const script = await bundleGuestScript(
    join(packageRoot(), 'test', 'guest', 'mount-vsock.ts'),
    join(mkdtempSync(join(tmpdir(), 'mv-agent-mount-')), 'mount-vsock.cjs'),
  );
  const addon = guestVsockAddon();
  const initramfs = await buildInitramfs({
    modules: ['9p', '9pnet', '9pnet_fd', 'vsock', 'vsock_loopback'],
    node: true,
    files: [{ path: '/opt/mount-vsock.cjs', source: script }, addon.file],
    init: `${addon.env} /usr/bin/node /opt/mount-vsock.cjs`,
  });
  guest = await bootGuest({ initramfs, memory: 512, timeout: 170_000 });
  // About 14 s on an idle machine (node adds ~6 s of boot under TCG); the rest is margin for
  // CI running other guests at the same time.
  await guest.waitForOutput(/MOUNT-DONE\r?\n/, { timeout: 160_000 });
  transcript = guest.output();
  results = [...transcript.matchAll(/MOUNT-RESULT (\{.*\})\r?\n/g)].map(
    (m) => JSON.parse(m[1] ?? '{}') as MountResult,
  );
  console.log(results.map((r) => `${r.ok ? 'ok  ' : 'FAIL'} ${r.name}: ${r.detail}`).join('\n'));
}, 180_000);

afterAll(async () => {
  await guest?.stop();
});

describe("the agent's mount of a 9P share over vsock (trans=fd) in a real guest", () => {
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
