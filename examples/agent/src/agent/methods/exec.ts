import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { MethodError } from '../../errors.js';
import { Channel } from '../../protocol/envelopes.js';
import type { ParsedParams, Result } from '../../protocol/methods.js';
import type { OutgoingChannel } from '../../rpc/channels.js';
import type { CallContext } from '../../rpc/peer.js';

/** Copies a child's pipe to a channel, pausing the pipe while the host has granted no credit. */
async function pump(source: Readable, out: OutgoingChannel): Promise<void> {
  for await (const chunk of source) await out.send(chunk as Buffer);
  out.end();
}

/**
 * Runs a command with streamed stdout (Channel.OUT) and stderr (Channel.ERR), stdin from
 * Channel.IN when asked; a timeout or a cancelled call kills the process group.
 */
export async function execCommand(
  params: ParsedParams<'exec'>,
  context: CallContext,
): Promise<Result<'exec'>> {
  const child = spawn(params.command, params.args, {
    cwd: params.cwd,
    env: params.env ? { PATH: process.env.PATH ?? '/usr/bin:/bin', ...params.env } : process.env,
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  let timedOut = false;
  const kill = () => {
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
  };
  const timer =
    params.timeoutMs === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          kill();
        }, params.timeoutMs);
  context.signal.addEventListener('abort', kill, { once: true });
  const spawned = new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', (error) =>
      reject(new MethodError('INTERNAL', `${params.command}: ${error.message}`, { cause: error })),
    );
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  try {
    await spawned;
    child.stdin.on('error', () => {}); // a child that exits without reading stdin
    if (!params.stdin) child.stdin.end();
    const stdin = params.stdin
      ? (async () => {
          for await (const chunk of context.input(Channel.IN)) {
            if (!child.stdin.write(chunk)) await new Promise((r) => child.stdin.once('drain', r));
          }
          child.stdin.end();
        })()
      : Promise.resolve();
    const streams = Promise.all([
      pump(child.stdout, context.output(Channel.OUT)),
      pump(child.stderr, context.output(Channel.ERR)),
    ]);
    streams.catch(kill);
    const { code, signal } = await exited;
    await Promise.allSettled([streams, stdin]);
    return { exitCode: code, signal, timedOut };
  } finally {
    if (timer) clearTimeout(timer);
    context.signal.removeEventListener('abort', kill);
  }
}
