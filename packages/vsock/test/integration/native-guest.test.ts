import { join } from 'node:path';
import { bootGuest, buildInitramfs, type Guest } from '@multiverse-os/image';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { conformanceCases } from '../../src/testing/index.js';
import {
  bundleGuestScript,
  GUEST_ENV,
  GUEST_MODULES,
  type GuestResult,
  guestFiles,
  packageDir,
  parseResults,
} from '../helpers/guest-bundle.js';

// Native AF_VSOCK is exercised only inside a tiny guest over CID 1 (vsock_loopback): the build
// machine's own vsock leads to its host, so nothing here opens a vsock socket on the host.
// One guest runs the whole suite (test/guest/native-suite.ts); each `it` checks one result.

// 256 MiB each way, with sha256 on both ends, as the issue asks: under TCG that costs about
// 25 s more than 64 MiB did (see README).
const LARGE_BYTES = 256 * 1024 * 1024;

let guest: Guest | undefined;
let results: GuestResult[] = [];
let transcript = '';

beforeAll(async () => {
  const script = await bundleGuestScript(join(packageDir, 'test', 'guest', 'native-suite.ts'));
  const initramfs = await buildInitramfs({
    modules: GUEST_MODULES,
    node: true,
    executables: ['/usr/bin/socat'],
    files: guestFiles(script),
    init: `VSOCK_LARGE_BYTES=${LARGE_BYTES} ${GUEST_ENV} /usr/bin/node /opt/vsock/script.mjs`,
  });
  guest = await bootGuest({ initramfs, memory: 1024, timeout: 290_000 });
  await guest.waitForOutput(/VSOCK-DONE\r?\n/, { timeout: 280_000 });
  transcript = guest.output();
  results = parseResults(transcript);
  // What the guest measured (transfer rates, timings) goes to the test log.
  console.log(
    results.map((r) => `${r.ok ? 'ok  ' : 'FAIL'} ${r.name}: ${r.detail} (${r.ms} ms)`).join('\n'),
  );
  // About 50 s on an idle machine; the margin is for CI running other guests at the same time.
}, 300_000);

afterAll(async () => {
  await guest?.stop();
});

function result(name: string): GuestResult {
  const found = results.find((r) => r.name === name);
  if (!found)
    throw new Error(
      `the guest reported no result for "${name}"; console:\n${transcript.slice(-4000)}`,
    );
  return found;
}

const nativeChecks = [
  'localCid() answers through /dev/vsock',
  'connection ends know their CIDs and ports',
  'refused port: ECONNREFUSED naming CID and port',
  'no transport for the CID: ENODEV',
  'connect timeout: ETIMEDOUT naming CID and port',
  'abort signal cancels a connect',
  'server close with clients attached',
  'listening on a port in use: EADDRINUSE naming CID and port',
  'allowCids refuses other peers before reading',
  'a worker terminated with open vsock handles does not crash the process',
  'interop: our client to socat VSOCK-LISTEN',
  'interop: socat VSOCK-CONNECT to our server',
  'releaseFd hands the connection to a child process as fd 3',
  'releaseFd gives a close-on-exec fd, blocking unless blocking: false',
  'releaseFd refuses when a byte would be lost or there is no connection',
];

describe('native vsock inside a guest (CID 1)', () => {
  it.each(nativeChecks)('%s', (name) => {
    const r = result(name);
    expect(r.ok, r.detail).toBe(true);
  });

  it.each(conformanceCases.map((c) => c.name))('conformance: %s', (name) => {
    const r = result(`conformance: ${name}`);
    expect(r.ok, r.detail).toBe(true);
  });

  it('the suite itself did not fail', () => {
    expect(results.find((r) => r.name === 'suite')).toBeUndefined();
    expect(results.length).toBe(nativeChecks.length + conformanceCases.length);
  });
});
