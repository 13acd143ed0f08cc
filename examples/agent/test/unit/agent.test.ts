import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  type AgentOptions,
  type AgentSession,
  type DisconnectRecord,
  serveAgent,
} from '../../src/agent/agent.js';
import type { Clock } from '../../src/agent/clock.js';
import { AgentConfigSchema } from '../../src/agent/config.js';
import { runOnceHooks } from '../../src/agent/methods/hooks.js';
import { AgentClient } from '../../src/client/client.js';
import { generateIdentity } from '../../src/tls/identity.js';
import { collectLines, duplexPair } from '../helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'mv-agent-unit-'));
const allowedDir = join(dir, 'allowed');
let client: AgentClient;
let restricted: AgentClient;
const agentLog = collectLines();
const clockCalls: string[] = [];
// The guest clock runs 5 s behind the host's.
const fakeClock: Clock = {
  now: () => performance.timeOrigin + performance.now() - 5000,
  step: async (offset) => {
    clockCalls.push(`step ${Math.round(offset / 100) * 100}`);
  },
  slew: async (offset) => {
    clockCalls.push(`slew ${offset}`);
  },
};

/** Fresh host and portal keys, and an agent configuration pinning the host's. */
async function pinnedConfig(settings: { allow: string[]; paths: string[]; hooks: unknown[] }) {
  const [hostKeys, portalKeys] = await Promise.all([
    generateIdentity('host'),
    generateIdentity('portal'),
  ]);
  const config = AgentConfigSchema.parse({
    identity: portalKeys,
    hostCert: hostKeys.cert,
    ...settings,
  });
  return { hostKeys, portalKeys, config };
}

/** The agent and a host client joined by an in-memory pipe, once TLS is up. */
function openSession(
  keys: Awaited<ReturnType<typeof pinnedConfig>>,
  options: AgentOptions,
): Promise<[AgentSession, AgentClient]> {
  const [a, b] = duplexPair();
  return Promise.all([
    serveAgent(b, keys.config, options),
    AgentClient.connect(a, { identity: keys.hostKeys, portalCert: keys.portalKeys.cert }),
  ]);
}

async function connect(allow: string[]): Promise<AgentClient> {
  const keys = await pinnedConfig({
    allow,
    paths: [allowedDir],
    hooks: [{ name: 'greet', hook: 'on-boot', inline: 'echo hello from a hook; exit 3' }],
  });
  const [session, connected] = await openSession(keys, { log: agentLog.log, clock: fakeClock });
  expect(session.peer.isClosed).toBe(false);
  return connected;
}

beforeAll(async () => {
  mkdirSync(allowedDir);
  writeFileSync(join(dir, 'secret.txt'), 'not for the host');
  symlinkSync(join(dir, 'secret.txt'), join(allowedDir, 'escape'));
  client = await connect([
    'ping',
    'heartbeat',
    'profile',
    'exec',
    'file.read',
    'file.write',
    'file.stat',
    'file.list',
    'hooks',
  ]);
  restricted = await connect(['ping', 'profile']);
});

afterAll(() => {
  client.close();
  restricted.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('agent over TLS (in memory)', () => {
  it('answers ping and profile', async () => {
    const pong = await client.ping();
    expect(pong.replied).toBeGreaterThanOrEqual(pong.received);
    const profile = await client.profile();
    expect(profile.cpus.length).toBeGreaterThan(0);
    expect(profile.memory.total).toBeGreaterThan(0);
    expect(profile.node).toBe(process.version);
  });

  it('measures the clock offset with four timestamps and steps a 5 s drift', async () => {
    const beat = await client.heartbeat();
    expect(beat.offsetMs).toBeGreaterThan(4900);
    expect(beat.offsetMs).toBeLessThan(5100);
    expect(beat.delayMs).toBeGreaterThanOrEqual(0);
    expect(beat.action).toBe('step');
    expect(clockCalls).toContain('step 5000');
  });

  it('streams exec output with exit status, stdin, and a timeout kill', async () => {
    const result = await client.run('sh', ['-c', 'echo out; echo err >&2; exit 7']);
    expect(result).toMatchObject({
      stdout: 'out\n',
      stderr: 'err\n',
      exitCode: 7,
      timedOut: false,
    });
    const cat = client.exec({ command: 'cat', stdin: true });
    await cat.write(Buffer.from('piped through'));
    cat.endStdin();
    expect((await cat.stdout.collect()).toString()).toBe('piped through');
    expect((await cat.result).exitCode).toBe(0);
    const slow = await client.run('sleep', ['10'], { timeoutMs: 100 });
    expect(slow).toMatchObject({ timedOut: true, signal: 'SIGKILL' });
  });

  it('streams a large output through the credit window', async () => {
    const big = client.exec({
      command: 'head',
      args: ['-c', String(8 * 1024 * 1024), '/dev/zero'],
    });
    let bytes = 0;
    for await (const chunk of big.stdout) bytes += chunk.length;
    expect(bytes).toBe(8 * 1024 * 1024);
    expect((await big.result).exitCode).toBe(0);
  });

  it('reads, writes, stats and lists files inside the allowed paths only', async () => {
    const path = join(allowedDir, 'note.txt');
    expect(await client.writeFile(path, Buffer.from('hello'))).toEqual({ bytes: 5 });
    expect(readFileSync(path, 'utf8')).toBe('hello');
    expect((await client.readFile(path)).toString()).toBe('hello');
    expect(await client.stat(path)).toMatchObject({ type: 'file', size: 5 });
    expect((await client.list(allowedDir)).entries.map((e) => e.name).sort()).toEqual([
      'escape',
      'note.txt',
    ]);
    await expect(client.readFile(join(dir, 'secret.txt'))).rejects.toMatchObject({
      remoteCode: 'PERMISSION',
    });
    await expect(client.readFile(join(allowedDir, '..', 'secret.txt'))).rejects.toMatchObject({
      remoteCode: 'PERMISSION',
    });
    await expect(client.readFile(join(allowedDir, 'escape'))).rejects.toMatchObject({
      remoteCode: 'PERMISSION',
    });
    await expect(client.stat(join(allowedDir, 'missing'))).rejects.toMatchObject({
      remoteCode: 'PATH',
    });
  });

  it('runs hooks and pushes their results as events', async () => {
    const event = new Promise((resolve) => client.once('hook', resolve));
    const { results } = await client.runHooks('on-boot');
    expect(results).toEqual([{ name: 'greet', exitCode: 3, output: 'hello from a hook\n' }]);
    expect(await event).toEqual({ hook: 'on-boot', name: 'greet', exitCode: 3 });
  });

  it('refuses methods the formula does not allow, and logs the refusal', async () => {
    expect((await restricted.ping()).sent).toBeGreaterThan(0);
    await expect(restricted.run('id')).rejects.toMatchObject({ remoteCode: 'PERMISSION' });
    expect(agentLog.lines.join('\n')).toMatch(/refused exec/);
  });

  it('refuses bad params and unknown methods with typed errors', async () => {
    await expect(client.peer.request('exec', { command: 42 })).rejects.toMatchObject({
      remoteCode: 'SCHEMA',
    });
    await expect(client.peer.request('format-disk', {})).rejects.toMatchObject({
      remoteCode: 'UNKNOWN_METHOD',
    });
    expect((await client.ping()).sent).toBeGreaterThan(0);
  });
});

describe('cancelling an exec', () => {
  it('kills the process when the host cancels the call', async () => {
    const marker = join(allowedDir, 'cancelled.pid');
    const call = client.exec({ command: 'sh', args: ['-c', `echo $$ > ${marker}; exec sleep 30`] });
    const started = Date.now();
    while (!existsSync(marker) && Date.now() - started < 5000) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const pid = Number(readFileSync(marker, 'utf8'));
    call.cancel();
    await expect(call.result).rejects.toMatchObject({ code: 'CANCELLED' });
    let alive = true;
    for (let i = 0; i < 100 && alive; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      try {
        process.kill(pid, 0);
      } catch {
        alive = false;
      }
    }
    expect(alive).toBe(false);
  });
});

describe('shutdown', () => {
  // The `shutdown` method and the power button (QMP system_powerdown, SIGTERM from acpid in
  // the guest) must do the same: before-shutdown hooks, the event to the host, power off.
  for (const via of ['the shutdown method', 'the power button'] as const) {
    it(`runs the hooks, tells the host, then powers off, through ${via}`, async () => {
      const keys = await pinnedConfig({
        allow: ['shutdown'],
        paths: [],
        hooks: [{ name: 'flush', hook: 'before-shutdown', inline: 'exit 0' }],
      });
      const poweredOff: boolean[] = [];
      const [session, host] = await openSession(keys, {
        log: agentLog.log,
        onShutdown: (reboot) => poweredOff.push(reboot),
      });
      try {
        if (via === 'the shutdown method') {
          await expect(host.shutdown()).resolves.toMatchObject({ accepted: true });
        } else {
          await session.shutdown();
        }
        await vi.waitFor(() => expect(poweredOff).toEqual([false]));
        expect(host.eventLog).toContainEqual({
          name: 'hook',
          data: { hook: 'before-shutdown', name: 'flush', exitCode: 0 },
        });
        expect(host.eventLog).toContainEqual({ name: 'shutdown', data: { reboot: false } });
      } finally {
        host.close();
      }
    });
  }
});

describe('disconnect', () => {
  it('runs the on-disconnect hooks and tells the next host how the last one left', async () => {
    const keys = await pinnedConfig({
      allow: ['ping'],
      paths: [],
      hooks: [{ name: 'note', hook: 'on-disconnect', inline: 'echo host left; exit 4' }],
    });
    const session = (previousDisconnect?: DisconnectRecord) =>
      openSession(keys, {
        log: agentLog.log,
        ...(previousDisconnect ? { previousDisconnect } : {}),
      });
    const [first, firstHost] = await session();
    expect(firstHost.eventLog.map((e) => e.name)).not.toContain('disconnect');
    const before = Date.now();
    firstHost.close();
    const record = await first.closed;
    expect(record.hooks).toEqual([{ name: 'note', exitCode: 4 }]);
    expect(record.reason).toMatch(/closed/);
    expect(record.at).toBeGreaterThanOrEqual(before - 1000);
    expect(agentLog.lines).toContain('agent: hook on-disconnect/note: exit 4');

    const [, secondHost] = await session(record);
    try {
      await vi.waitFor(() =>
        expect(secondHost.eventLog).toContainEqual({ name: 'disconnect', data: record }),
      );
    } finally {
      secondHost.close();
    }
  });
});

describe('once hooks', () => {
  it('run on the first start only, whatever their exit code', async () => {
    const stateDir = join(dir, 'state');
    const counter = join(dir, 'once-count');
    const config = {
      stateDir,
      hooks: AgentConfigSchema.shape.hooks.parse([
        { name: 'count', hook: 'once', inline: `echo ran >> ${counter}; exit 1` },
        { name: 'boot', hook: 'on-boot', inline: 'exit 0' },
      ]),
    };
    const first = await runOnceHooks(config);
    expect(first).toEqual([{ name: 'count', exitCode: 1, output: '' }]);
    expect(await runOnceHooks(config)).toEqual([]);
    expect(readFileSync(counter, 'utf8')).toBe('ran\n');
    expect(existsSync(join(stateDir, 'once-hooks-ran'))).toBe(true);
  });
});
