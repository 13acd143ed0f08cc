import { spawn, spawnSync } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import { ImageBuildError, ToolNotFoundError } from '../errors.js';

/** Which Debian package provides each tool a build runs. */
export const TOOL_PACKAGES = {
  mmdebstrap: 'mmdebstrap',
  'mkfs.ext4': 'e2fsprogs',
  'qemu-img': 'qemu-utils',
} as const;
export type BuildTool = keyof typeof TOOL_PACKAGES;

/** Characters of a failed tool's output kept for the error. */
const TAIL_CHARS = 4096;

/** Throws `ToolNotFoundError` naming the Debian package when `tool` is not on PATH. */
export function requireTool(tool: BuildTool): void {
  const found = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', tool], { encoding: 'utf8' });
  if (found.status !== 0) throw new ToolNotFoundError(tool, TOOL_PACKAGES[tool]);
}

/** The first line a tool prints for `args` (`--version`), or `unknown`. */
export function toolVersion(tool: string, args: readonly string[]): string {
  const result = spawnSync(tool, args, { encoding: 'utf8', timeout: 10_000 });
  const text = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
  return text.split('\n')[0]?.trim() || 'unknown';
}

export interface RunStepOptions {
  /** Kill the tool (its whole process group) after this many milliseconds. */
  timeoutMs: number;
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  /** Each line the tool prints (stdout and stderr). */
  onLine?: (line: string) => void;
}

/**
 * Runs one build step and resolves when it exits with status 0. Anything else (a non-zero
 * status, a signal, the timeout, an abort) rejects with `ImageBuildError` naming the step and
 * carrying the end of the tool's output. The tool runs in its own process group so the
 * timeout also ends what it started (apt, dpkg, maintainer scripts).
 */
export function runStep(
  step: string,
  command: string,
  args: readonly string[],
  options: RunStepOptions,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let tail = '';
    let stopped: string | undefined;
    const child = spawn(command, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
      env: options.env ?? process.env,
    });
    const kill = (why: string) => {
      stopped ??= why;
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    };
    const timer = setTimeout(
      () => kill(`timed out after ${Math.round(options.timeoutMs / 1000)} s`),
      options.timeoutMs,
    );
    const onAbort = () => kill('aborted');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) onAbort();
    // Killed with us: a build must not outlive the process that started it.
    const onExit = () => kill('the parent process exited');
    process.once('exit', onExit);
    const collect = (stream: NodeJS.ReadableStream) => {
      const decoder = new StringDecoder('utf8');
      let partial = '';
      stream.on('data', (chunk: Buffer) => {
        const text = decoder.write(chunk);
        tail = (tail + text).slice(-TAIL_CHARS);
        partial += text;
        const lines = partial.split(/\r?\n|\r/);
        partial = lines.pop() ?? '';
        for (const line of lines) if (line.trim()) options.onLine?.(line);
      });
    };
    if (child.stdout) collect(child.stdout);
    if (child.stderr) collect(child.stderr);
    const finish = (error?: Error) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      process.removeListener('exit', onExit);
      if (error) reject(error);
      else resolve();
    };
    child.once('error', (error) => {
      finish(
        new ImageBuildError(step, `cannot run ${command}: ${error.message}`, '', { cause: error }),
      );
    });
    child.once('close', (code, signal) => {
      if (stopped) finish(new ImageBuildError(step, `${command} ${stopped}`, tail));
      else if (code === 0) finish();
      else
        finish(
          new ImageBuildError(
            step,
            `${command} exited with ${signal ? `signal ${signal}` : `status ${code}`}`,
            tail,
          ),
        );
    });
  });
}
