// The agent as it runs in the guest: `node agent.js /etc/multiverse/agent.json`. Serves the
// virtio-serial port, one host at a time, reopening it whenever the host side goes away.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { openVirtioSerialGuest } from '@multiverse-os/serial';
import { serveAgent } from '../agent/agent.js';
import { AgentConfigSchema } from '../agent/config.js';
import { runHooks } from '../agent/methods/hooks.js';

const log = (line: string) => process.stderr.write(`mv-agent: ${line}\n`);

async function main(): Promise<void> {
  const path = process.argv[2] ?? '/etc/multiverse/agent.json';
  const config = AgentConfigSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  for (const hook of ['once', 'on-boot'] as const) {
    for (const r of await runHooks(config.hooks, hook))
      log(`hook ${hook}/${r.name}: exit ${r.exitCode}`);
  }
  let stopping = false;
  const onShutdown = (reboot: boolean) => {
    stopping = true;
    log(reboot ? 'rebooting' : 'shutting down');
    if (reboot) execFile('reboot', ['-f']);
    else process.exit(0); // the image's /init syncs and powers off when we exit
  };
  log(`serving ${config.device}`);
  while (!stopping) {
    const device = await openVirtioSerialGuest(config.device);
    device.on('error', () => {});
    try {
      const session = await serveAgent(device, config, { log, onShutdown });
      log('host connected');
      await session.closed;
      log('host disconnected');
    } catch (error) {
      log((error as Error).message);
    }
    device.destroy();
    await sleep(200);
  }
}

main().catch((error: unknown) => {
  log(`fatal: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});
