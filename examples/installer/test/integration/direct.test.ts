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
  it('builds the tiny images, starts both controllers under QEMU and reaches their consoles', async () => {
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
    const results = await runDirect(plan, { log: (l) => lines.push(l), out });
    expect(results.map((r) => r.role)).toEqual(['router-controller', 'user-controller']);
    expect(progress).toMatch(/^router-controller image: 1\/4 kernel /);
    expect(progress).toContain('router-controller image: 4/4 copied');
    expect(progress).toContain('user-controller image: 4/4 copied');
    for (const { name, status, console } of results) {
      expect(
        existsSync(join(plan.storageRoot, 'base-images', 'tiny', `${name}.initramfs.gz`)),
      ).toBe(true);
      expect(status).toMatchObject({ status: 'running', running: true });
      // The hostname is the controller's own: each console is the right guest's.
      expect(console).toMatch(new RegExp(`mv-console-ok ${name} [01]`));
    }
    // ip_forward=1 is what the router controller's init script set: the guest really ran it.
    expect(results[0]?.console).toMatch(/mv-console-ok \S+ 1/);
    expect(lines.filter((l) => l.includes('console reached'))).toHaveLength(2);
    // runDirect shut the controllers down: their QEMU processes are gone.
    for (const { machine } of results) {
      await machine.exited;
      const pid = machine.pid as number;
      expect(() => process.kill(pid, 0)).toThrow();
    }
  });
});
