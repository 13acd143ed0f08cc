import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  type FormulaForImage,
  imagePlanForFormula,
  imagePlansForFormulaTree,
  runOsImageCommand,
  UnbuildableFormulaError,
} from '../../src/index.js';

const repo = fileURLToPath(new URL('../../../../', import.meta.url));
const catalog = join(repo, 'examples', 'formulas');

// The formula package dev-depends on this one, so this one cannot depend on it (nor reference
// it from tsconfig): the catalog test loads its sources at run time by path.
async function formulaPackage(): Promise<{ resolveFormulaFile(file: string): FormulaForImage }> {
  const path = join(repo, 'packages', 'formula', 'src', 'index.ts');
  return (await import(path)) as { resolveFormulaFile(file: string): FormulaForImage };
}

function catalogFiles(dir = catalog): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) =>
      entry.isDirectory()
        ? catalogFiles(join(dir, entry.name))
        : entry.name.endsWith('.yaml')
          ? [join(dir, entry.name)]
          : [],
    )
    .sort();
}

const debianBase: FormulaForImage = {
  name: 'debian',
  labels: { distro: 'debian' },
  boot: { type: 'kernel', kernel: '/i/debian-12/vmlinuz', initrd: '/i/debian-12/initrd.img' },
  disks: [{ name: 'root', image: '/i/debian-12/rootfs.qcow2', format: 'qcow2' }],
  provisioning: { packages: { apt: ['ca-certificates'], apk: [] } },
  agent: { enabled: true },
};

describe('imagePlanForFormula', () => {
  it('maps a Debian formula to its recipe and the paths it expects', () => {
    expect(imagePlanForFormula(debianBase)).toEqual({
      buildable: true,
      formula: 'debian',
      recipe: { suite: 'bookworm', packages: ['ca-certificates'] },
      needsAgent: true,
      expects: {
        rootfs: '/i/debian-12/rootfs.qcow2',
        kernel: '/i/debian-12/vmlinuz',
        initrd: '/i/debian-12/initrd.img',
      },
    });
  });

  it.each([
    [{ disks: [] }, 'NO_ROOT_DISK'],
    [
      {
        labels: { distro: 'alpine' },
        disks: [{ name: 'root', image: '/i/alpine-3.20/rootfs.qcow2' }],
      },
      'NOT_DEBIAN',
    ],
    [{ labels: {}, disks: [{ name: 'root', image: '/i/custom.qcow2' }] }, 'NOT_DEBIAN'],
    [{ disks: [{ name: 'root', image: '/i/debian-9/rootfs.qcow2' }] }, 'UNKNOWN_RELEASE'],
    [{ disks: [{ name: 'root', image: '/i/debian-12/rootfs.img', format: 'raw' }] }, 'RAW_FORMAT'],
    [{ boot: { type: 'disk' as const, disk: 'root' } }, 'DISK_BOOT'],
  ])('says why not: %j is %s', (change, code) => {
    const plan = imagePlanForFormula({ ...debianBase, ...change });
    expect(plan).toMatchObject({ buildable: false, code, formula: 'debian' });
    // A sentence a formula author can act on, not just the code.
    expect((plan.buildable ? '' : plan.reason).split(' ').length).toBeGreaterThan(5);
  });
});

describe('the catalog', () => {
  it('every formula in examples/formulas resolves to a recipe, or a reason', async () => {
    const { resolveFormulaFile } = await formulaPackage();
    const summary: Record<string, string[]> = {};
    for (const file of catalogFiles()) {
      const plans = imagePlansForFormulaTree(resolveFormulaFile(file));
      summary[relative(catalog, file)] = plans.map((plan) =>
        plan.buildable
          ? `${plan.formula}: ${plan.recipe.suite} ${plan.recipe.packages?.join(',')}`
          : `${plan.formula}: ${plan.code}`,
      );
    }
    expect(Object.keys(summary)).toHaveLength(catalogFiles().length);
    // The Debian bases and what extends them build; only the Alpine base cannot.
    expect(summary['bases/debian.yaml']).toEqual([
      'debian: bookworm ca-certificates,openssh-client',
    ]);
    expect(summary['bases/alpine.yaml']).toEqual(['alpine: NOT_DEBIAN']);
    expect(summary['bases/desktop.yaml']?.[0]).toMatch(/^desktop: bookworm .*xwayland/);
    const unbuildable = Object.entries(summary).flatMap(([file, plans]) =>
      plans.filter((p) => !p.includes('bookworm')).map((p) => `${file} ${p}`),
    );
    expect(unbuildable).toEqual(
      Object.entries(summary)
        .filter(([, plans]) => plans.some((p) => p.endsWith('NOT_DEBIAN')))
        .flatMap(([file, plans]) =>
          plans.filter((p) => p.endsWith('NOT_DEBIAN')).map((p) => `${file} ${p}`),
        ),
    );
  });

  it('mv-image plan prints each portal and exits 1 when one cannot be built', async () => {
    const { resolveFormulaFile } = await formulaPackage();
    const output: string[] = [];
    const io = {
      stdout: { write: (text: string) => output.push(text) } as unknown as NodeJS.WritableStream,
      stderr: process.stderr,
      loadFormula: resolveFormulaFile,
    };
    expect(
      await runOsImageCommand('plan', ['--formula', join(catalog, 'bases/debian.yaml')], io),
    ).toBe(0);
    expect(output.join('')).toContain(
      'debian: Debian bookworm with ca-certificates openssh-client, agent',
    );
    output.length = 0;
    expect(
      await runOsImageCommand('plan', ['--formula', join(catalog, 'bases/alpine.yaml')], io),
    ).toBe(1);
    expect(output.join('')).toMatch(/alpine: cannot build \(NOT_DEBIAN\)/);
    await expect(
      runOsImageCommand('build', ['--formula', join(catalog, 'bases/alpine.yaml')], io),
    ).rejects.toThrow(UnbuildableFormulaError);
    await expect(
      runOsImageCommand('build', ['--formula', join(catalog, 'bases/debian.yaml')], io),
    ).rejects.toThrow(/enables the agent: pass --agent-bundle/);
  });
});
