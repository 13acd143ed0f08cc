import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildInstallPlan, runDirect } from '../../src/index.js';
import { seedsInTemp } from '../helpers.js';

const cleanup: string[] = [];
afterAll(async () => {
  for (const path of cleanup) await rm(path, { recursive: true, force: true });
});

describe('--direct', () => {
  it('builds the tiny image, starts the router controller under QEMU and reaches its console', async () => {
    const { config, dir } = await seedsInTemp();
    cleanup.push(dir);
    const plan = buildInstallPlan(config);
    const lines: string[] = [];
    let progress = '';
    const out = {
      isTTY: false,
      write: (chunk: string) => {
        progress += chunk;
        return true;
      },
    } as unknown as NodeJS.WritableStream;
    const result = await runDirect(plan, { log: (l) => lines.push(l), out });
    expect(progress).toMatch(/^router-controller image: 1\/4 kernel /);
    expect(progress).toContain('router-controller image: 4/4 copied');
    expect(
      existsSync(join(plan.storageRoot, 'base-images', 'tiny', 'router-controller.initramfs.gz')),
    ).toBe(true);
    expect(result.status).toMatchObject({ status: 'running', running: true });
    // ip_forward=1 is what the controller's init script set: the guest really ran it.
    expect(result.console).toMatch(/mv-console-ok 1/);
    expect(lines.at(-1)).toMatch(
      /^router-controller: console reached on .*console\.sock \(ip_forward=1\)$/,
    );
    // runDirect shut the controller down: its QEMU process is gone.
    await result.machine.exited;
    const pid = result.machine.pid as number;
    expect(() => process.kill(pid, 0)).toThrow();
  });
});
