#!/usr/bin/env node
// `npm run demo`: sets the machine up, then runs examples/agent end to end: a portal formula
// compiled to QEMU argv, a tiny guest with Node and the agent, QMP, the serial console, a host
// folder shared over 9P, the agent reached over virtio-serial with TLS, then a clean shutdown.
// Pass --console to see every console line of the guest.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, setup } from './setup.mjs';

setup();
// Runs on the TypeScript sources (tsx, the workspace source condition): no stale dist/.
const result = spawnSync(
  'pnpm',
  [
    'exec',
    'tsx',
    '--conditions=@multiverse-os/source',
    join(ROOT, 'examples', 'agent', 'scripts', 'demo.ts'),
    ...process.argv.slice(2),
  ],
  { cwd: join(ROOT, 'examples', 'agent'), stdio: 'inherit' },
);
process.exitCode = result.status ?? 1;
