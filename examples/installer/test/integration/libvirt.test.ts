import { spawnSync } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { requireTool } from '@multiverse-os/libvirt-xml/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyPlan,
  buildInstallPlan,
  destroyPlan,
  InstallerError,
  InstallerState,
  type InstallPlan,
  readHostConfig,
  VirshSession,
} from '../../src/index.js';
import { installerDir, placeImages, seedsInTemp } from '../helpers.js';

// The test driver keeps its objects only for the life of one virsh process: every step of
// a scenario goes through one VirshSession (one `virsh -c test:///default` shell).
const URI = 'test:///default';
const cleanup: string[] = [];
let plan: InstallPlan;
let file: string;

beforeAll(async () => {
  requireTool('virsh', 'libvirt-clients');
  const temp = await seedsInTemp();
  cleanup.push(temp.dir);
  file = temp.file;
  plan = buildInstallPlan(temp.config);
  await placeImages(plan.images.map((i) => i.path));
});
afterAll(async () => {
  for (const path of cleanup) await rm(path, { recursive: true, force: true });
});

async function names(session: VirshSession, command: string): Promise<string[]> {
  return (await session.must(command))
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .sort();
}

describe('apply to the libvirt test driver', () => {
  it('defines everything once, changes nothing the second time, destroys exactly it', async () => {
    const session = await VirshSession.open(URI);
    try {
      const state = InstallerState.load(plan.storageRoot, URI);
      const lines: string[] = [];
      const first = await applyPlan(plan, session, state, (l) => lines.push(l));
      expect(first.unchanged).toBe(false);
      expect(lines.at(-1)).toBe('24 change(s) made');
      expect(await names(session, 'list --all --name')).toEqual([
        'console',
        'filebrowser',
        'firefox',
        'galaxy-router',
        'galaxy1-router',
        'router-controller',
        'star-router',
        'test',
        'universe-router',
        'user-controller',
      ]);
      expect(await names(session, 'net-list --all --name')).toEqual([
        'default',
        'galaxy0',
        'galaxy1',
        'star0',
        'universe0',
      ]);
      expect(await names(session, 'pool-list --all --name')).toEqual([
        'default-pool',
        'mv-base-images',
        'mv-os-images',
        'mv-portal-images',
      ]);
      const xml = await session.must('dumpxml star-router');
      expect(xml).toContain("<mac address='00:00:10:02:02:fe'/>");
      expect(xml).toContain(`${plan.storageRoot}/os-images/alpine-3.20/vmlinuz-virt`);
      expect(await session.must('pool-dumpxml mv-os-images')).toContain(
        `<path>${plan.storageRoot}/os-images</path>`,
      );

      const again: string[] = [];
      const second = await applyPlan(plan, session, state, (l) => again.push(l));
      expect(second.unchanged).toBe(true);
      expect(again.at(-1)).toBe('nothing to do: the host already matches the plan');

      const removed: string[] = [];
      await destroyPlan(plan, session, state, (l) => removed.push(l));
      expect(await names(session, 'list --all --name')).toEqual(['test']);
      expect(await names(session, 'net-list --all --name')).toEqual(['default']);
      expect(await names(session, 'pool-list --all --name')).toEqual(['default-pool']);
      expect(state.list()).toEqual([]);
    } finally {
      await session.close();
    }
  });

  it('leaves alone an object it did not make', async () => {
    const session = await VirshSession.open(URI);
    try {
      const foreign = join(plan.storageRoot, 'star0.xml');
      await writeFile(foreign, '<network><name>star0</name><bridge name="virbr-star"/></network>');
      await session.must(`net-define ${foreign}`);
      const state = InstallerState.load(plan.storageRoot, URI);
      const lines: string[] = [];
      await applyPlan(plan, session, state, (l) => lines.push(l));
      expect(lines).toContain(
        '= network star0: exists and was not made by the installer, left alone',
      );
      await destroyPlan(plan, session, state);
      expect(await names(session, 'net-list --all --name')).toEqual(['default', 'star0']);
      expect(await session.must('net-dumpxml star0')).toContain("<bridge name='virbr-star'");
    } finally {
      await session.close();
    }
  });

  it('works on a custom test-driver node file: what it holds belongs to someone else', async () => {
    // test:///path/node.xml starts the driver from that description (still per process).
    const node = join(plan.storageRoot, 'node.xml');
    await writeFile(
      node,
      '<node><network><name>galaxy0</name><bridge name="br-galaxy"/></network></node>',
    );
    const session = await VirshSession.open(`test://${node}`);
    try {
      const state = InstallerState.load(plan.storageRoot, session.uri);
      const lines: string[] = [];
      await applyPlan(plan, session, state, (l) => lines.push(l));
      expect(lines).toContain(
        '= network galaxy0: exists and was not made by the installer, left alone',
      );
      expect(lines).toContain('+ network universe0: defined');
      await destroyPlan(plan, session, state);
      expect(await names(session, 'net-list --all --name')).toEqual(['galaxy0']);
    } finally {
      await session.close();
    }
  });

  it('fails half way with a clear error and nothing half-defined', async () => {
    const session = await VirshSession.open(URI);
    try {
      const state = InstallerState.load(plan.storageRoot, URI);
      const last = plan.domains.at(-1);
      if (!last) throw new Error('no domains');
      // libvirt refuses the last domain after 23 objects were made: all of them must go again.
      const broken = {
        ...plan,
        domains: [
          ...plan.domains.slice(0, -1),
          { ...last, xml: '<domain type="kvm"><name>filebrowser</name></domain>' },
        ],
      };
      const error = await applyPlan(broken, session, state).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InstallerError);
      expect((error as InstallerError).message).toMatch(/^virsh define .*domain-filebrowser\.xml/);
      expect((error as InstallerError).message).toContain('rolled back: removed the');
      expect(await names(session, 'list --all --name')).toEqual(['test']);
      expect(await names(session, 'net-list --all --name')).toEqual(['default']);
      expect(await names(session, 'pool-list --all --name')).toEqual(['default-pool']);
      expect(state.list()).toEqual([]);
    } finally {
      await session.close();
    }
  });

  it('refuses to start when an image is missing, naming it', async () => {
    const session = await VirshSession.open(URI);
    try {
      const image = plan.images[0]?.path as string;
      await rm(image);
      // The plan is built again: it records which images exist when it is made.
      const fresh = buildInstallPlan(readHostConfig(file));
      const error = await applyPlan(
        fresh,
        session,
        InstallerState.load(plan.storageRoot, URI),
      ).catch((e: unknown) => e);
      await placeImages([image]);
      expect((error as InstallerError).code).toBe('MISSING_IMAGE');
      expect((error as InstallerError).message).toContain(`${image} (used by router-controller`);
      expect(await names(session, 'list --all --name')).toEqual(['test']);
    } finally {
      await session.close();
    }
  });
});

describe('the CLI', () => {
  it('applies twice, reports, and destroys in one virsh session', () => {
    const run = spawnSync(
      'pnpm',
      [
        '-s',
        'start',
        '--',
        file,
        'apply',
        'apply',
        'status',
        'destroy',
        'status',
        '--connect',
        URI,
      ],
      {
        cwd: installerDir,
        encoding: 'utf8',
      },
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('+ domain router-controller: defined');
    expect(run.stdout).toContain('nothing to do: the host already matches the plan');
    expect(run.stdout).toContain('  net-list: universe0 galaxy0 star0 galaxy1');
    expect(run.stdout).toContain('- domain filebrowser: removed');
    expect(run.stdout.trimEnd().endsWith('  list: (none)')).toBe(true);
  });

  it('prints the plan, and fails clearly on a bad host file', () => {
    const run = spawnSync('pnpm', ['-s', 'start', '--', file], {
      cwd: installerDir,
      encoding: 'utf8',
    });
    expect(run.stdout).toContain('  mv-base-images     dir ');
    const bad = spawnSync('pnpm', ['-s', 'start', '--', join(installerDir, 'missing.yaml')], {
      cwd: installerDir,
      encoding: 'utf8',
    });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('missing.yaml cannot be read');
  });
});
