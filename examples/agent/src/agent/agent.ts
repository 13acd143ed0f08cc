import os from 'node:os';
import type { Duplex } from 'node:stream';
import { MethodError } from '../errors.js';
import { type EventData, isMethodName, type MethodName, methods } from '../protocol/methods.js';
import { type CallContext, RpcPeer } from '../rpc/peer.js';
import { agentResync } from '../rpc/resync.js';
import { acceptSecure } from '../tls/secure-channel.js';
import { type Clock, systemClock } from './clock.js';
import type { AgentConfig } from './config.js';
import { beneathRoot } from './confine.js';
import { execCommand } from './methods/exec.js';
import { listDirectory, readFileStreamed, statFile, writeFileStreamed } from './methods/files.js';
import { runHooks } from './methods/hooks.js';
import { mountShare } from './methods/mount.js';
import { systemProfile } from './methods/profile.js';
import { measureAndCorrect } from './methods/time.js';

export interface AgentOptions {
  log?: (line: string) => void;
  clock?: Clock;
  /** Called after the shutdown reply went out: power off or reboot the guest. */
  onShutdown?: (reboot: boolean) => void;
  /** Where `mount` appends its line. Default /etc/fstab. */
  fstabPath?: string;
  /** Override the method implementations (tests of permissions and bad input). */
  overrides?: Partial<
    Record<MethodName, (params: unknown, context: CallContext) => Promise<unknown>>
  >;
  /** How the previous host's session ended: pushed to this host as the `disconnect` event. */
  previousDisconnect?: DisconnectRecord;
}

/** The `disconnect` event: when and why a host's channel closed, and the on-disconnect hooks. */
export type DisconnectRecord = EventData<'disconnect'>;

export interface AgentSession {
  peer: RpcPeer;
  /**
   * Resolves when the host goes away, after the on-disconnect hooks ran, with what the next
   * host will be told (`previousDisconnect` of its session).
   */
  closed: Promise<DisconnectRecord>;
  /**
   * Shuts the guest down the way the `shutdown` method does: before-shutdown hooks, the
   * `shutdown` event to the host, then `onShutdown`. The guest calls it when the power
   * button is pressed (QMP `system_powerdown`).
   */
  shutdown(reboot?: boolean): Promise<void>;
}

/**
 * Serves one host connection: TLS handshake against the pinned host certificate, then the
 * methods the configuration allows, each with its params checked against the shared schema.
 */
export async function serveAgent(
  stream: Duplex,
  config: AgentConfig,
  options: AgentOptions = {},
): Promise<AgentSession> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const clock = options.clock ?? systemClock;
  const secure = await acceptSecure(agentResync(stream), {
    identity: config.identity,
    peerCert: config.hostCert,
  });
  const peer = new RpcPeer(secure, { role: 'agent', log });
  const allowed = new Set(config.allow);
  const hookEvent = (hook: string) => (r: { name: string; exitCode: number | null }) =>
    peer.emitEvent('hook', { hook, name: r.name, exitCode: r.exitCode });
  const shutdown = async (reboot = false): Promise<void> => {
    await runHooks(config.hooks, 'before-shutdown', hookEvent('before-shutdown'));
    peer.emitEvent('shutdown', { reboot });
    // After the reply (or event) is on its way: the host sees it, then the channel closes.
    setTimeout(() => options.onShutdown?.(reboot), 200);
  };

  const implementations: Record<
    Exclude<MethodName, 'time.now'>,
    (p: never, c: CallContext) => Promise<unknown>
  > = {
    ping: async (p: { sent: number }) => ({
      sent: p.sent,
      received: clock.now(),
      replied: clock.now(),
    }),
    heartbeat: async (_p, context) => {
      const result = await measureAndCorrect(peer, clock, config.time, context.signal);
      if (result.action !== 'none')
        peer.emitEvent('clock', { action: result.action, offsetMs: result.offsetMs });
      return result;
    },
    profile: () => systemProfile(),
    exec: async (p: Parameters<typeof execCommand>[0], context) => {
      if (p.cwd === undefined || config.paths.length === 0) return execCommand(p, context);
      // The cwd is opened beneath its allowed root (as file.* paths are) and the child
      // changes into that held directory through /proc/self/fd/N: the kernel follows the
      // magic link to the very inode the descriptor holds, never resolving the path again,
      // so a directory swapped for a symlink after the open cannot move the child out.
      // The descriptor is close-on-exec (the command does not inherit it) and above 2 (Node
      // keeps 0-2 open), so libuv's stdio set-up in the child, which runs before its chdir,
      // cannot overwrite it. Needs /proc mounted, as the guest's init does.
      const cwd = await beneathRoot(p.cwd, config.paths, (dir, rel) => dir.dir(rel));
      try {
        return await execCommand({ ...p, cwd: `/proc/self/fd/${cwd.fd}` }, context);
      } finally {
        cwd.close();
      }
    },
    'file.read': (p: Parameters<typeof readFileStreamed>[0], c) =>
      readFileStreamed(p, config.paths, c),
    'file.write': (p: Parameters<typeof writeFileStreamed>[0], c) =>
      writeFileStreamed(p, config.paths, c),
    'file.stat': (p: Parameters<typeof statFile>[0]) => statFile(p, config.paths),
    'file.list': (p: Parameters<typeof listDirectory>[0]) => listDirectory(p, config.paths),
    mount: (p: Parameters<typeof mountShare>[0]) => mountShare(p, options.fstabPath),
    hooks: async (p: { hook: AgentConfig['hooks'][number]['hook'] }) => ({
      results: await runHooks(config.hooks, p.hook, hookEvent(p.hook)),
    }),
    shutdown: async (p: { reboot: boolean } | undefined) => {
      await shutdown(p?.reboot ?? false);
      return { accepted: true };
    },
  };

  for (const name of Object.keys(methods)) {
    if (!isMethodName(name) || name === 'time.now') continue;
    const implementation = options.overrides?.[name] ?? implementations[name];
    peer.handle(name, async (context) => {
      if (!allowed.has(name)) {
        log(`agent: refused ${name}: not allowed by the formula`);
        throw new MethodError('PERMISSION', `${name} is not allowed on this portal`);
      }
      const parsed = methods[name].params.safeParse(context.params);
      if (!parsed.success) {
        log(`agent: ${name}: bad params: ${parsed.error.message}`);
        throw new MethodError('SCHEMA', `${name} params: ${parsed.error.message}`);
      }
      return implementation(parsed.data as never, context);
    });
  }

  peer.emitEvent('boot', { uptime: os.uptime(), hostname: os.hostname() });
  if (options.previousDisconnect) peer.emitEvent('disconnect', options.previousDisconnect);
  const closed = peer.closed.then(async (): Promise<DisconnectRecord> => {
    const at = clock.now();
    const reason = peer.closeReason?.message ?? 'closed';
    const hooks = await runHooks(config.hooks, 'on-disconnect');
    for (const r of hooks) log(`agent: hook on-disconnect/${r.name}: exit ${r.exitCode}`);
    return { at, reason, hooks: hooks.map(({ name, exitCode }) => ({ name, exitCode })) };
  });
  return { peer, closed, shutdown };
}
