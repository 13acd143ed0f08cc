import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTool, virtXmlValidate } from '@multiverse-os/libvirt-xml/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emitPlan, readPlan } from '../../src/index.js';

const routerDir = join(import.meta.dirname, '..', '..');
let dir = '';
let written: string[] = [];

beforeAll(async () => {
  requireTool('virsh', 'libvirt-clients');
  requireTool('virt-xml-validate', 'libvirt-clients');
  dir = await mkdtemp(join(tmpdir(), 'mv-router-'));
  written = await emitPlan(readPlan(join(routerDir, 'plans', 'seeds.yaml')), dir);
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('the emitted seeds plan and libvirt', () => {
  it('passes virt-xml-validate: every network and domain', async () => {
    const xml = written.filter((f) => f.endsWith('.xml'));
    expect(xml).toHaveLength(8);
    for (const file of xml) await virtXmlValidate(await readFile(file, 'utf8'));
  });

  it('is defined by virsh on the test driver, networks then domains, in one virsh process', () => {
    const xml = written.filter((f) => f.endsWith('.xml'));
    const commands = [
      ...xml.filter((f) => f.includes('/networks/')).map((f) => `net-define ${f}`),
      ...xml.filter((f) => f.includes('/domains/')).map((f) => `define ${f}`),
      'net-list --all --name',
      'list --all --name',
      'domiflist star-router',
    ].join('\n');
    const run = spawnSync('virsh', ['-c', 'test:///default'], {
      input: `${commands}\n`,
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    for (const name of ['universe0', 'galaxy0', 'star0', 'galaxy1'])
      expect(run.stdout).toMatch(new RegExp(`^${name}$`, 'm'));
    for (const name of ['universe-router', 'galaxy-router', 'star-router', 'galaxy1-router']) {
      expect(run.stdout).toMatch(new RegExp(`^Domain '?${name}'? defined`, 'm'));
    }
    expect(run.stdout).toMatch(/network\s+galaxy0\s+virtio\s+00:00:10:01:01:0a/);
    expect(run.stdout).toMatch(/network\s+star0\s+virtio\s+00:00:10:02:02:fe/);
  });

  it('runs through the CLI: prints the plan and writes the files', () => {
    const out = join(dir, 'cli');
    const run = spawnSync('pnpm', ['start', '--', 'plans/seeds.yaml', '--emit', out], {
      cwd: routerDir,
      encoding: 'utf8',
    });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(
      'universe0  10.0.0.0/24  10.0.0.2-254  universe-router  00:00:10:00:00:01  10.0.0.1',
    );
    expect(run.stdout).toContain(`wrote 29 files under ${out}`);
    const bad = spawnSync('pnpm', ['start', '--', 'plans/missing.yaml'], {
      cwd: routerDir,
      encoding: 'utf8',
    });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('network plan plans/missing.yaml cannot be read');
  });
});
