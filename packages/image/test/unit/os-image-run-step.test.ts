import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ImageBuildError } from '../../src/index.js';
import { requireTool, runStep } from '../../src/os-image/run-step.js';
import { temporaryDir } from '../helpers/temporary-dir.js';

/** Running, not a zombie waiting for init to reap it. */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe('runStep', () => {
  it('resolves on status 0 and hands over every line', async () => {
    const lines: string[] = [];
    await runStep('demo', 'sh', ['-c', 'echo one; echo two >&2'], {
      timeoutMs: 10_000,
      onLine: (l) => lines.push(l),
    });
    expect(lines.sort()).toEqual(['one', 'two']);
  });

  it('a failing tool is ImageBuildError naming the step with the end of its output', async () => {
    const error = await runStep(
      'mmdebstrap',
      'sh',
      ['-c', 'echo "E: no such package" >&2; exit 3'],
      {
        timeoutMs: 10_000,
      },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ImageBuildError);
    expect(error).toMatchObject({ code: 'BUILD_FAILED', step: 'mmdebstrap' });
    expect((error as ImageBuildError).message).toMatch(/status 3[\s\S]*E: no such package/);
  });

  it('never hangs: the timeout kills the tool and what it started', async () => {
    const dir = temporaryDir('mv-run-step-');
    const pidFile = join(dir, 'child.pid');
    const started = Date.now();
    const error = await runStep('slow', 'sh', ['-c', `sleep 60 & echo $! > ${pidFile}; wait`], {
      timeoutMs: 500,
    }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect((error as ImageBuildError).reason).toMatch(/timed out after/);
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(alive(grandchild)).toBe(false);
  });

  it('an abort stops the tool', async () => {
    const controller = new AbortController();
    const running = runStep('slow', 'sleep', ['60'], {
      timeoutMs: 60_000,
      signal: controller.signal,
    });
    controller.abort();
    await expect(running).rejects.toThrow(/aborted/);
  });

  it('a missing tool names the Debian package', () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      expect(() => requireTool('mmdebstrap')).toThrow(/install Debian's mmdebstrap package/);
    } finally {
      process.env.PATH = path;
    }
  });
});
