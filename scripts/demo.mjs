#!/usr/bin/env node
// `npm run demo`: sets the machine up, builds a tiny guest (Debian's kernel, busybox, Node.js)
// with @multiverse-os/image, boots it under QEMU and shows its console as it boots, runs a few
// commands in it and powers it off. (examples/agent takes this over once it exists.)
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { log, ROOT, run, setup } from './setup.mjs';

setup();
const dist = join(ROOT, 'packages', 'image', 'dist', 'index.js');
// Always rebuild: a stale dist/ would demo old code (tsup takes a few seconds).
run('pnpm', ['--filter', '@multiverse-os/image', '--silent', 'run', 'build'], { stdio: 'ignore' });
const { bootGuest, buildInitramfs } = await import(pathToFileURL(dist).href);

const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s`;
const say = (message) => process.stdout.write(`\x1b[1m[${elapsed()}] ${message}\x1b[0m\n`);

say('building the initramfs (busybox, virtio modules, node)');
const initramfs = await buildInitramfs({
  modules: ['virtio_net', 'virtio_console', '9p', '9pnet_virtio', 'vsock_loopback'],
  node: true,
  hostname: 'multiverse-demo',
  init: [
    'echo "--- inside the guest ---"',
    'uname -a',
    'echo "cpus: $(grep -c ^processor /proc/cpuinfo), memory: $(grep MemTotal /proc/meminfo)"',
    'ip -4 addr show eth0 | grep inet',
    "node -e \"console.log('node', process.version, 'on', process.platform, process.arch)\"",
    'echo "--- powering off ---"',
  ].join('\n'),
});
say(`initramfs ${initramfs.cached ? 'from cache' : 'built'}: ${initramfs.path}`);
say(`booting ${initramfs.kernel.image} under QEMU (TCG)`);
const guest = await bootGuest({ initramfs, network: true, timeout: 180_000 });
let pending = '';
guest.console.on('data', (chunk) => {
  pending += chunk.toString('utf8');
  const lines = pending.split('\n');
  pending = lines.pop() ?? '';
  for (const line of lines)
    process.stdout.write(`[${elapsed()}] console | ${line.replace(/\r$/, '')}\n`);
});
try {
  const exit = await guest.waitForExit(180_000);
  say(`guest powered off (QEMU exit status ${exit.code})`);
  if (exit.code !== 0) process.exitCode = 1;
} catch (error) {
  log(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
} finally {
  await guest.stop();
}
