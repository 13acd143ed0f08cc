// The agent as it runs in the guest: `node agent.js /etc/multiverse/agent.json`. Serves the
// virtio-serial port, one host connection at a time, for as long as the guest runs.
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { type AgentSession, type DisconnectRecord, serveAgent } from '../agent/agent.js';
import { AgentConfigSchema } from '../agent/config.js';
import { runHooks, runOnceHooks } from '../agent/methods/hooks.js';
import { virtioPortConnections } from './virtio-port.js';

const log = (line: string) => process.stderr.write(`mv-agent: ${line}\n`);

async function main(): Promise<void> {
  const path = process.argv[2] ?? '/etc/multiverse/agent.json';
  const config = AgentConfigSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
  for (const r of await runOnceHooks(config)) log(`hook once/${r.name}: exit ${r.exitCode}`);
  for (const r of await runHooks(config.hooks, 'on-boot'))
    log(`hook on-boot/${r.name}: exit ${r.exitCode}`);
  let stopping = false;
  const onShutdown = (reboot: boolean) => {
    stopping = true;
    log(reboot ? 'rebooting' : 'shutting down');
    // Power off from here: process.exit() would wait for the libuv thread blocked reading
    // the port. Filesystems are synced first (the before-shutdown hooks have run).
    execFileSync('sync');
    execFile(reboot ? 'reboot' : 'poweroff', ['-f']);
  };
  // The power button (QMP system_powerdown): image's acpid handler sends SIGTERM. Shut down
  // as the `shutdown` method would, telling the connected host, if there is one.
  let current: AgentSession | undefined;
  // How the last host left, told to the next one (the `disconnect` event).
  let previousDisconnect: DisconnectRecord | undefined;
  process.on('SIGTERM', () => {
    log('power button pressed');
    if (current) void current.shutdown(false);
    else void runHooks(config.hooks, 'before-shutdown').finally(() => onShutdown(false));
  });
  log(`serving ${config.device}`);
  for await (const connection of virtioPortConnections(config.device)) {
    connection.on('error', () => {});
    try {
      const session = await serveAgent(connection, config, {
        log,
        onShutdown,
        ...(previousDisconnect ? { previousDisconnect } : {}),
      });
      current = session;
      log('host connected');
      previousDisconnect = await session.closed;
      current = undefined;
      log(`host disconnected: ${previousDisconnect.reason}`);
    } catch (error) {
      log((error as Error).message);
    }
    connection.destroy();
    if (stopping) break;
    log('waiting for the next host');
  }
}

main().catch((error: unknown) => {
  log(`fatal: ${(error as Error).stack ?? String(error)}`);
  process.exit(1);
});
