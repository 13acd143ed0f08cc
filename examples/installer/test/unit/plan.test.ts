import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  buildInstallPlan,
  ConfigValidationError,
  formatInstallPlan,
  InstallerError,
  installPlanJson,
  Progress,
  parseHostConfig,
  readHostConfig,
} from '../../src/index.js';
import { fixtures, seedsHost, seedsInTemp } from '../helpers.js';

const cleanup: string[] = [];
afterAll(async () => {
  for (const path of cleanup) await rm(path, { recursive: true, force: true });
});

describe('the seeds host plan', () => {
  const plan = buildInstallPlan(readHostConfig(seedsHost));

  it('has the pools and folders of the guide under the storage root', () => {
    expect(plan.pools.map((p) => `${p.name}=${p.path}`)).toEqual([
      'mv-base-images=/var/lib/multiverse/base-images',
      'mv-os-images=/var/lib/multiverse/os-images',
      'mv-portal-images=/var/lib/multiverse/portal-images',
    ]);
    expect(plan.folders).toContain('/var/lib/multiverse/portal-images');
    expect(plan.folders.some((f) => f.endsWith('/.local/share/multiverse/portals/firefox'))).toBe(
      true,
    );
  });

  it('has the controllers, the router chain of the network plan and the portals', () => {
    expect(plan.domains.map((d) => `${d.name}:${d.role}`)).toEqual([
      'router-controller:router-controller',
      'user-controller:user-controller',
      'universe-router:router',
      'galaxy-router:router',
      'star-router:router',
      'galaxy1-router:router',
      'firefox:portal',
      'console:portal',
      'filebrowser:portal',
    ]);
    expect(plan.networks.map((n) => n.name)).toEqual(['universe0', 'galaxy0', 'star0', 'galaxy1']);
  });

  it('lists each guest fstab and the images, moved under the storage root', () => {
    const firefox = plan.domains.find((d) => d.name === 'firefox');
    expect(firefox?.fstab[0]).toBe(
      'multiverse-portal /mnt/multiverse-portal 9p trans=virtio,version=9p2000.L,posixacl,rw,cache=none,nofail 0 0',
    );
    expect(plan.images.map((i) => i.path)).toContain(
      '/var/lib/multiverse/os-images/debian-12/vmlinuz',
    );
    expect(firefox?.xml).toContain('/var/lib/multiverse/os-images/debian-12/vmlinuz');
  });

  it('prints readably and as JSON', () => {
    expect(formatInstallPlan(plan)).toContain(
      '  mv-os-images       dir /var/lib/multiverse/os-images',
    );
    const json = JSON.parse(installPlanJson(plan)) as {
      domains: Array<{ name: string; xml: string }>;
    };
    expect(json.domains[0]?.name).toBe('router-controller');
    expect(json.domains[0]?.xml).toContain('<domain');
  });
});

describe('bad input', () => {
  it('locates configuration mistakes', () => {
    const text =
      'apiVersion: multiverse-os.org/host/v1alpha1\nkind: HostConfig\nname: x\nstorag: {}\nnetwork: n.yaml\n';
    try {
      parseHostConfig(text, 'host.yaml');
      throw new Error('accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigValidationError);
      expect((error as ConfigValidationError).message).toContain(
        'host.yaml:4:1: storag: unknown key "storag" (did you mean "storage"?)',
      );
    }
  });

  it('names the portal whose formula is broken, before anything is done', async () => {
    const { config, dir } = await seedsInTemp((t) =>
      t.replace('  - application/filebrowser', `  - ${join(fixtures, 'broken-portal.yaml')}`),
    );
    cleanup.push(dir);
    expect(() => buildInstallPlan(config)).toThrow(InstallerError);
    expect(() => buildInstallPlan(config)).toThrow(
      /install\[2\] \(.*broken-portal\.yaml\): .*resourcs: unknown key/s,
    );
  });

  it('refuses two guests of one name and networks the plan lacks', async () => {
    const twice = await seedsInTemp((t) =>
      t.replace('  - application/console', '  - application/console\n  - application/console'),
    );
    cleanup.push(twice.dir);
    expect(() => buildInstallPlan(twice.config)).toThrow('two guests are named console');
    const config = { ...twice.config, network: join(twice.dir, 'none.yaml') };
    expect(() => buildInstallPlan(config)).toThrow(/network plan .*none\.yaml cannot be read/);
  });
});

describe('progress', () => {
  function sink(isTTY: boolean): {
    out: NodeJS.WritableStream & { isTTY?: boolean };
    text: () => string;
  } {
    let text = '';
    const out = {
      isTTY,
      write: (chunk: string) => {
        text += chunk;
        return true;
      },
    } as unknown as NodeJS.WritableStream & { isTTY?: boolean };
    return { out, text: () => text };
  }

  it('writes plain lines off a terminal and a redrawn bar on one', () => {
    const plain = sink(false);
    const p = new Progress('images', 2, plain.out);
    p.step('router-controller');
    p.step('portal');
    expect(plain.text()).toBe('images: 1/2 router-controller\nimages: 2/2 portal\n');
    const tty = sink(true);
    const bar = new Progress('images', 2, tty.out);
    bar.step('a');
    bar.step('b');
    expect(tty.text()).toContain('\r\x1b[2Kimages [############------------] 1/2 a');
    expect(tty.text().endsWith('[########################] 2/2 b\n')).toBe(true);
  });
});
