import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  customizeHook,
  InvalidOptionError,
  mmdebstrapArgs,
  normalizeRecipe,
  osImageCacheKey,
  RECIPE_VERSION,
} from '../../src/index.js';
import { temporaryDir } from '../helpers/temporary-dir.js';

const tools = { mmdebstrap: 'mmdebstrap 1.3.5', mkfs: 'mke2fs 1.47.0', qemuImg: 'qemu-img 7.2' };
const paths = {
  root: '/c/.build-x/root',
  hook: '/c/h.sh',
  essentialHook: '/c/e.sh',
  stage: '/c/stage',
};

describe('normalizeRecipe', () => {
  it('sorts and dedupes packages and adds the base set and kernel', () => {
    const recipe = normalizeRecipe({ packages: ['hello', 'curl', 'hello'] });
    expect(recipe.extraPackages).toEqual(['curl', 'hello']);
    expect(recipe.packages).toEqual(['curl', 'hello', 'linux-image-amd64', 'systemd-sysv', 'udev']);
    expect(recipe.suite).toBe('bookworm');
  });

  it('adds nodejs only with the agent', () => {
    expect(normalizeRecipe({}).packages).not.toContain('nodejs');
    expect(normalizeRecipe({ agent: { bundle: '/a.cjs' } }).packages).toContain('nodejs');
  });

  it.each([
    [{ packages: ['Hello'] }, 'packages[0]'],
    [{ packages: ['a;rm -rf /'] }, 'packages[0]'],
    [{ suite: 'sid' as never }, 'suite'],
    [{ mirror: 'ftp://x/debian' }, 'mirror'],
    [{ mirror: "http://x/'$(id)'" }, 'mirror'],
    [{ rootfsSize: 10 }, 'rootfsSize'],
    [{ components: ['universe' as never] }, 'components[0]'],
    [{ hostname: 'a b' }, 'hostname'],
    [{ agent: { bundle: 'relative.cjs' } }, 'agent.bundle'],
    [
      { agent: { bundle: '/a', addons: [{ path: '/etc/passwd', source: '/x' }] } },
      'agent.addons[0].path',
    ],
    [{ agent: { bundle: '/a', env: { X: 'a\nExecStart=/bin/evil' } } }, 'agent.env.X'],
  ])('refuses %j naming %s', (recipe, option) => {
    expect(() => normalizeRecipe(recipe)).toThrow(InvalidOptionError);
    try {
      normalizeRecipe(recipe);
    } catch (error) {
      expect((error as InvalidOptionError).option).toBe(option);
    }
  });
});

describe('osImageCacheKey', () => {
  const key = (recipe: Parameters<typeof normalizeRecipe>[0], t = tools, agent?: string) =>
    osImageCacheKey(normalizeRecipe(recipe), t, agent);

  it('does not depend on package order or duplicates', () => {
    expect(key({ packages: ['b', 'a'] })).toBe(key({ packages: ['a', 'b', 'a'] }));
  });

  it('changes with every input', () => {
    const base = key({ packages: ['hello'] });
    const variants = [
      key({ packages: ['hello', 'curl'] }),
      key({ packages: ['hello'], kernelPackage: 'linux-image-cloud-amd64' }),
      key({ packages: ['hello'], mirror: 'http://mirror.example/debian' }),
      key({ packages: ['hello'], rootfsSize: 4096 }),
      key({ packages: ['hello'], components: ['main', 'contrib'] }),
      key({ packages: ['hello'], hostname: 'other' }),
      key({ packages: ['hello'] }, { ...tools, mmdebstrap: 'mmdebstrap 1.4.0' }),
      key({ packages: ['hello'] }, { ...tools, mkfs: 'mke2fs 1.47.1' }),
      key({ packages: ['hello'], agent: { bundle: '/a' } }, tools, 'a'.repeat(64)),
      key({ packages: ['hello'], agent: { bundle: '/a' } }, tools, 'b'.repeat(64)),
    ];
    expect(new Set([base, ...variants]).size).toBe(variants.length + 1);
    expect(base).toMatch(/^[0-9a-f]{32}$/);
  });

  it('hashes the agent by content', async () => {
    const { agentDigest } = await import('../../src/index.js');
    const dir = temporaryDir('mv-agent-');
    writeFileSync(join(dir, 'a.cjs'), 'one');
    writeFileSync(join(dir, 'b.cjs'), 'one');
    writeFileSync(join(dir, 'c.cjs'), 'two');
    const digest = (name: string) => agentDigest({ bundle: join(dir, name) });
    expect(digest('a.cjs')).toBe(digest('b.cjs'));
    expect(digest('a.cjs')).not.toBe(digest('c.cjs'));
    expect(() => digest('missing.cjs')).toThrow(/agent bundle cannot be read/);
  });

  it('is versioned', () => {
    expect(RECIPE_VERSION).toBeGreaterThanOrEqual(1);
  });
});

describe('the mmdebstrap plan', () => {
  it('writes nothing but what the hooks write, and installs the packages', () => {
    const args = mmdebstrapArgs(normalizeRecipe({ packages: ['hello'] }), paths, 'unshare');
    expect(args.slice(-3)).toEqual([
      'bookworm',
      '/c/.build-x/root',
      'http://deb.debian.org/debian',
    ]);
    expect(args).toContain('--mode=unshare');
    expect(args).toContain('--variant=minbase');
    expect(args).toContain('--components=main');
    expect(args).toContain('--include=hello,linux-image-amd64,systemd-sysv,udev');
    expect(args).toContain(`--customize-hook=sh '/c/h.sh' "$1"`);
  });

  it('quotes paths in the hook and installs the agent only when asked', () => {
    const plain = customizeHook(normalizeRecipe({}), { ...paths, stage: "/tmp/it's" });
    expect(plain).toContain(`stage='/tmp/it'\\''s'`);
    expect(plain).toContain(`> "$root/etc/fstab"`);
    expect(plain).not.toContain('multiverse-agent');
    const withAgent = customizeHook(
      normalizeRecipe({
        agent: {
          bundle: '/a.cjs',
          config: '/k.json',
          addons: [{ path: '/opt/multiverse-agent/fsat.node', source: '/f' }],
        },
      }),
      paths,
    );
    expect(withAgent).toContain('multi-user.target.wants/multiverse-agent.service');
    expect(withAgent).toContain(
      'install -m 0600 "$stage/agent.json" "$root"/etc/multiverse/agent.json',
    );
    expect(withAgent).toContain('"$stage/addons/fsat.node"');
  });
});
