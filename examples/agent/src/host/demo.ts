import type { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { resolveFormulaFile } from '@multiverse-os/formula';
import { buildInitramfs, defaultCacheDir } from '@multiverse-os/image';
import { createServer, LocalFs } from '@multiverse-os/p9';
import { AgentClient } from '../client/client.js';
import { agentConfigFromFormula } from '../formula-config.js';
import type { EventData, EventName } from '../protocol/methods.js';
import { generateIdentity } from '../tls/identity.js';
import { bundleGuestAgent, guestAgentAddons, packageRoot } from './guest-bundle.js';
import { FW_CFG_GUEST_PATH, launchPortal, type PortalVm } from './portal-vm.js';

/** Where the bundled agent lives in the guest. */
const GUEST_AGENT = '/opt/multiverse/agent.cjs';
const AGENT_PID_FILE = '/run/mv-agent.pid';

export interface DemoOptions {
  /** One line per step, already timed. */
  say?: (line: string) => void;
  /** Every guest console line. */
  onConsoleLine?: (line: string) => void;
  formulaFile?: string;
  /** Boot deadline (TCG under load is slow). Default 150 s. */
  bootTimeout?: number;
}

/** What the demo observed, for tests and for the summary line. */
export interface DemoReport {
  steps: { name: string; ms: number }[];
  events: { name: string; data: unknown }[];
  profile: Awaited<ReturnType<AgentClient['profile']>>;
  heartbeat: Awaited<ReturnType<AgentClient['heartbeat']>>;
  resumeHeartbeat: Awaited<ReturnType<AgentClient['heartbeat']>>;
  execOutput: string;
  fstabLine: string | null;
  /** Content of the files the guest wrote, as read in the host folder. */
  hostFiles: Record<string, string>;
  refusedCall: string;
  /** How a host holding another key failed. */
  strangerRefused: string;
  qemuExit: { code: number | null; signal: NodeJS.Signals | null };
  shutdownEvent: boolean;
  /** What the agent told the second host about the first one's departure. */
  disconnectEvent: EventData<'disconnect'>;
}

/** The event `name` from the client's log, or the next one to arrive. */
function nextEvent<E extends EventName>(
  client: AgentClient,
  name: E,
  timeout = 30_000,
): Promise<EventData<E>> {
  const seen = client.eventLog.find((e) => e.name === name);
  if (seen) return Promise.resolve(seen.data as EventData<E>);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no ${name} event within ${timeout} ms`)),
      timeout,
    );
    const listener = (data: unknown) => {
      clearTimeout(timer);
      resolve(data as EventData<E>);
    };
    (client as EventEmitter).once(name, listener);
  });
}

const MOUNT_POINT = '/mnt/multiverse-portal';

/**
 * The whole story: a formula compiled to QEMU argv, a tiny guest with Node and the agent,
 * QEMU over QMP, the console over @multiverse-os/serial, the portal share served by
 * @multiverse-os/p9 and mounted by the agent, the agent reached over virtio-serial with TLS,
 * then a clean shutdown.
 */
export async function runAgentDemo(options: DemoOptions = {}): Promise<DemoReport> {
  const started = performance.now();
  const say = options.say ?? (() => {});
  const steps: DemoReport['steps'] = [];
  async function step<T>(name: string, body: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    const value = await body();
    const ms = performance.now() - t0;
    steps.push({ name, ms });
    say(
      `[${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s] ${name} (${Math.round(ms)} ms)`,
    );
    return value;
  }
  const dir = mkdtempSync(join(tmpdir(), 'mv-agent-demo-'));
  const hostFolder = join(dir, 'portal-share');
  mkdirSync(hostFolder);
  writeFileSync(join(hostFolder, 'from-host.txt'), 'hello from the host folder\n');
  let vm: PortalVm | undefined;
  let client: AgentClient | undefined;
  const p9 = createServer({ fs: new LocalFs(hostFolder) });
  try {
    const formulaFile = options.formulaFile ?? join(packageRoot(), 'formula', 'agent-portal.yaml');
    const formula = await step('formula resolved', async () => resolveFormulaFile(formulaFile));
    const [host, portal] = await step('host and portal keys generated (Ed25519, self-signed)', () =>
      Promise.all([
        generateIdentity('multiverse-host'),
        generateIdentity(`portal-${formula.name}`),
      ]),
    );
    const agentConfig = agentConfigFromFormula(
      formula,
      { portal, hostCert: host.cert },
      '/dev/virtio-ports/org.multiverse-os.agent.0',
    );
    const configFile = join(dir, 'agent.json');
    writeFileSync(configFile, JSON.stringify(agentConfig), { mode: 0o600 });
    const bundle = await step('guest agent bundled into one file (esbuild)', () =>
      // A stable path: the initramfs cache key covers its inputs, so an unchanged agent reuses it.
      bundleGuestAgent(join(dirname(defaultCacheDir()), 'agent', 'agent.cjs')),
    );
    // The native addons the bundled agent loads (fsat for file.*, vsock for vsock: mounts).
    const addons = guestAgentAddons();
    const initramfs = await step('initramfs with node and the agent', () =>
      buildInitramfs({
        modules: ['virtio_net', 'virtio_console', '9p', '9pnet_fd', 'qemu_fw_cfg'],
        node: true,
        hostname: formula.name,
        files: [{ path: GUEST_AGENT, source: bundle }, ...addons.files],
        // `exec` keeps the shell's pid for node: the pid file names the agent.
        init: `echo $$ > ${AGENT_PID_FILE}; export ${addons.env}; exec node ${GUEST_AGENT} ${FW_CFG_GUEST_PATH}`,
        after: 'poweroff',
        // QMP system_powerdown presses the power button: the agent shuts down as its
        // `shutdown` method would (hooks, event to the host) and powers off; the wait bounds
        // how long a stuck agent can delay the power-off.
        powerButton: {
          command: `pid=$(cat ${AGENT_PID_FILE}); kill -TERM $pid; for i in $(seq 1 100); do kill -0 $pid 2> /dev/null || break; sleep 0.1; done`,
        },
      }),
    );
    const p9Address = await step('9P server (@multiverse-os/p9) serving the host folder', () =>
      p9.listen('tcp:127.0.0.1:0'),
    );
    const p9Port = 'port' in p9Address ? p9Address.port : 0;
    vm = await step('QEMU started paused from the compiled argv; QMP and console attached', () =>
      launchPortal({
        formulaFile,
        initramfs,
        runDir: join(dir, 'run'),
        home: join(dir, 'home'),
        agentConfigFile: configFile,
        ...(options.onConsoleLine ? { onConsoleLine: options.onConsoleLine } : {}),
      }),
    );
    const running = vm;
    await step('QMP cont: the guest runs (RESUME event)', async () => {
      await running.qmp.executeAndWait('cont', undefined, 'RESUME', undefined, { timeout: 10_000 });
    });
    const bootTimeout = options.bootTimeout ?? 150_000;
    await step('guest booted; agent serving virtio-serial (seen on the console)', () =>
      running.console.expect(/mv-agent: serving/, { timeout: bootTimeout }),
    );
    const strangerRefused = await step('a host holding another key is refused', async () => {
      const stranger = await generateIdentity('stranger');
      const socket = await running.connectAgent();
      try {
        const impostor = await AgentClient.connect(socket, {
          identity: stranger,
          portalCert: portal.cert,
          handshakeTimeout: 60_000,
        });
        // TLS 1.3 lets the client finish first; the agent then refuses its certificate, and
        // a virtio-serial port cannot hang up: the impostor's call goes unanswered.
        await impostor.call('ping', { sent: Date.now() }, { timeout: 3000 });
        return 'not refused';
      } catch (error) {
        return (error as Error).message;
      } finally {
        socket.destroy();
      }
    });
    say(`        ${strangerRefused}`);
    const connected = await step(
      'agent connected over virtio-serial, TLS 1.3, both keys pinned',
      async () => {
        const agent = await AgentClient.open(() => running.connectAgent(), {
          identity: host,
          portalCert: portal.cert,
          handshakeTimeout: 60_000,
          log: (line) => say(`        ${line}`),
        });
        return agent;
      },
    );
    client = connected;
    await step('ping', () => connected.ping());
    const heartbeat = await step('heartbeat: clock offset measured NTP-style', () =>
      connected.heartbeat(),
    );
    say(
      `        offset ${heartbeat.offsetMs.toFixed(1)} ms, round trip ${heartbeat.delayMs.toFixed(1)} ms, action ${heartbeat.action}`,
    );
    const resumeHeartbeat = await step('QMP stop + cont; RESUME triggers a heartbeat', async () => {
      const beat = new Promise<Awaited<ReturnType<AgentClient['heartbeat']>>>((resolve, reject) => {
        const off = running.qmp.on('RESUME', () => {
          off();
          connected.heartbeat().then(resolve, reject);
        });
      });
      await running.qmp.execute('stop');
      await running.qmp.execute('cont');
      return beat;
    });
    const profile = await step('profile', () => connected.profile());
    say(
      `        ${profile.hostname}: ${profile.os.name} ${profile.os.release}, ${profile.cpus.length} CPU, ${Math.round(profile.memory.total / 2 ** 20)} MiB, node ${profile.node}`,
    );
    const exec = await step('exec uname -a (streamed stdout)', () =>
      connected.run('uname', ['-a']),
    );
    say(`        ${exec.stdout.trim()}`);
    const refusedCall = await step('file.read outside the allowed paths is refused', async () => {
      try {
        await connected.call('file.read', { path: '/etc/shadow' });
        return 'not refused';
      } catch (error) {
        return (error as Error).message;
      }
    });
    const mounted = await step(
      `mount: the agent mounts the share (9P over TCP, 10.0.2.2:${p9Port})`,
      () => connected.mount({ source: `tcp:10.0.2.2:${p9Port}`, mountPoint: MOUNT_POINT }),
    );
    const hostFiles = await step(
      'files written in the guest appear in the host folder',
      async () => {
        await connected.writeFile(
          `${MOUNT_POINT}/from-agent.txt`,
          Buffer.from('written by file.write\n'),
        );
        const shell = await connected.run('sh', [
          '-c',
          `cat ${MOUNT_POINT}/from-host.txt > ${MOUNT_POINT}/from-exec.txt && echo "exec in $(hostname)" >> ${MOUNT_POINT}/from-exec.txt`,
        ]);
        if (shell.exitCode !== 0) throw new Error(`exec in the share failed: ${shell.stderr}`);
        const files: Record<string, string> = {};
        for (const name of ['from-agent.txt', 'from-exec.txt']) {
          const path = join(hostFolder, name);
          if (!existsSync(path)) throw new Error(`${path} did not appear on the host`);
          files[name] = readFileSync(path, 'utf8');
        }
        return files;
      },
    );
    const reconnected = await step(
      'the host leaves and comes back: the agent ran its on-disconnect hook and says how the last session ended',
      async () => {
        const left = running.console.expect(/mv-agent: host disconnected/, { timeout: 30_000 });
        connected.close();
        await left;
        const again = await AgentClient.open(() => running.connectAgent(), {
          identity: host,
          portalCert: portal.cert,
          handshakeTimeout: 60_000,
          log: (line) => say(`        ${line}`),
        });
        client = again;
        const event = await nextEvent(again, 'disconnect');
        return { again, event };
      },
    );
    say(
      `        ${reconnected.event.reason}; hooks ${reconnected.event.hooks.map((h) => `${h.name} exit ${h.exitCode}`).join(', ')}`,
    );
    const qemuExit = await step(
      'QMP system_powerdown: the agent runs its hooks, reports shutdown; QEMU reports SHUTDOWN and exits',
      async () => {
        const shutdownSeen = running.qmp.waitForEvent('SHUTDOWN', undefined, { timeout: 60_000 });
        shutdownSeen.catch(() => {});
        await running.qmp.execute('system_powerdown');
        await shutdownSeen;
        return running.exited;
      },
    );
    const events = [...connected.eventLog, ...reconnected.again.eventLog];
    say(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return {
      steps,
      events,
      profile,
      heartbeat,
      resumeHeartbeat,
      execOutput: exec.stdout,
      fstabLine: mounted.fstabLine,
      hostFiles,
      refusedCall,
      strangerRefused,
      qemuExit,
      shutdownEvent: events.some((e) => e.name === 'shutdown'),
      disconnectEvent: reconnected.event,
    };
  } finally {
    client?.close();
    await vm?.qmp.close().catch(() => {});
    vm?.console.close();
    await vm?.kill();
    await p9.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
