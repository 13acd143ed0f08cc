import { describe, expect, it } from 'vitest';
import {
  createMemoryLoader,
  ExtendsCycleError,
  FormulaNotFoundError,
  mergeFormulaValues,
  resolveFormulaText,
} from '../../src/index.js';

const head = (name: string, extra = '') =>
  `apiVersion: multiverse-os.org/formula/v1alpha1\nkind: Portal\nname: ${name}\ncategory: base/${name}\n${extra}`;

describe('mergeFormulaValues', () => {
  it('lets later scalars win and merges maps key by key', () => {
    expect(mergeFormulaValues({ a: 1, m: { x: 1, y: 2 } }, { a: 2, m: { y: 3 } })).toEqual({
      a: 2,
      m: { x: 1, y: 3 },
    });
  });

  it('replaces a map whose type differs', () => {
    const base = { boot: { type: 'kernel', kernel: '/k', cmdline: 'x' } };
    const child = { boot: { type: 'disk', disk: 'root' } };
    expect(mergeFormulaValues(base, child)).toEqual(child);
  });

  it('replaces named list items in place and appends new ones', () => {
    const base = {
      disks: [
        { name: 'root', image: 'a' },
        { name: 'data', image: 'b' },
      ],
    };
    const child = {
      disks: [
        { name: 'root', image: 'c' },
        { name: 'swap', image: 'd' },
      ],
    };
    expect(mergeFormulaValues(base, child)).toEqual({
      disks: [
        { name: 'root', image: 'c' },
        { name: 'data', image: 'b' },
        { name: 'swap', image: 'd' },
      ],
    });
  });

  it('appends other lists without exact duplicates', () => {
    expect(mergeFormulaValues({ apt: ['a', 'b'] }, { apt: ['b', 'c'] })).toEqual({
      apt: ['a', 'b', 'c'],
    });
    expect(mergeFormulaValues({ d: [{ rng: {} }] }, { d: [{ rng: {} }, { vsock: {} }] })).toEqual({
      d: [{ rng: {} }, { vsock: {} }],
    });
  });
});

describe('resolveFormulaText', () => {
  const files = {
    'bases/a.yaml': head(
      'a',
      'abstract: true\nresources: { cpus: 2, memory: 1GiB }\nprovisioning: { packages: { apt: [curl] } }\nboot: { type: kernel, kernel: /a/vmlinuz }\n',
    ),
    'bases/b.yaml': head(
      'b',
      'abstract: true\nresources: { memory: 4GiB }\ndevices: [{ rng: {} }]\n',
    ),
    'loop1.yaml': head('loop1', 'extends: ./loop2.yaml\n'),
    'loop2.yaml': head('loop2', 'extends: ./loop1.yaml\n'),
    'kid.yaml': head('kid', 'extends: bases/a\n'),
    'parent.yaml': head(
      'parent',
      'extends: bases/a\nchildren: [{ formula: ./kid.yaml, name: kid-1 }]\n',
    ),
    'selfish.yaml': head('selfish', 'extends: bases/a\nchildren: [{ formula: ./selfish.yaml }]\n'),
  };
  const loader = createMemoryLoader(files);

  it('merges bases in order, then the formula, and applies defaults once', () => {
    const text = head(
      'app',
      'extends: [bases/a, bases/b]\nresources: { cpus: 4 }\nprovisioning: { packages: { apt: [git] } }\n',
    );
    const formula = resolveFormulaText(text, 'app.yaml', { loader });
    expect(formula.resources).toEqual({
      cpus: 4,
      memory: '4GiB',
      machine: 'q35',
      accelerator: 'kvm',
      cpu: 'host',
    });
    expect(formula.provisioning.packages.apt).toEqual(['curl', 'git']);
    expect(formula.devices).toEqual([{ rng: { source: '/dev/urandom' } }]);
    expect(formula.boot).toEqual({
      type: 'kernel',
      kernel: '/a/vmlinuz',
      cmdline: 'console=ttyS0',
    });
    expect(formula.abstract).toBe(false);
    expect(formula.name).toBe('app');
  });

  it('does not inherit abstract', () => {
    expect(resolveFormulaText(head('x', 'extends: bases/a\n'), 'x.yaml', { loader }).abstract).toBe(
      false,
    );
  });

  it('detects cycles and names the chain', () => {
    const error = (() => {
      try {
        resolveFormulaText(files['loop1.yaml'], 'loop1.yaml', { loader });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ExtendsCycleError);
    expect((error as ExtendsCycleError).chain).toEqual(['loop1.yaml', 'loop2.yaml', 'loop1.yaml']);
    expect((error as ExtendsCycleError).code).toBe('EXTENDS_CYCLE');
  });

  it('takes a base reached twice (a diamond) for what it is, not a cycle', () => {
    const diamond = createMemoryLoader({
      ...files,
      'bases/left.yaml': head('left', 'abstract: true\nextends: bases/a\nlabels: { side: left }\n'),
      'bases/right.yaml': head(
        'right',
        'abstract: true\nextends: bases/a\nresources: { cpus: 8 }\n',
      ),
    });
    const formula = resolveFormulaText(
      head('d', 'extends: [bases/left, bases/right]\n'),
      'd.yaml',
      {
        loader: diamond,
      },
    );
    expect(formula.labels).toEqual({ side: 'left' });
    expect(formula.resources.cpus).toBe(8);
    expect(formula.provisioning.packages.apt).toEqual(['curl']);
  });

  it('detects a formula that holds itself as a child', () => {
    expect(() => resolveFormulaText(files['selfish.yaml'], 'selfish.yaml', { loader })).toThrow(
      ExtendsCycleError,
    );
  });

  it('resolves children and renames them', () => {
    const formula = resolveFormulaText(files['parent.yaml'], 'parent.yaml', { loader });
    expect(formula.children.map((c) => [c.name, c.resources.cpus])).toEqual([['kid-1', 2]]);
  });

  it('resolves a child file named by a base against the base, not the extending formula', () => {
    const nested = createMemoryLoader({
      ...files,
      'bases/controller.yaml': head(
        'controller',
        'abstract: true\nextends: ./a.yaml\nchildren: [{ formula: ./worker.yaml }]\n',
      ),
      'bases/worker.yaml': head('worker', 'extends: ./a.yaml\n'),
      'bases/a.yaml': files['bases/a.yaml'],
    });
    const formula = resolveFormulaText(
      head('boss', 'extends: bases/controller\n'),
      'deep/boss.yaml',
      {
        loader: nested,
      },
    );
    expect(formula.children.map((c) => c.name)).toEqual(['worker']);
  });

  it('reports a missing base with what it tried', () => {
    expect(() =>
      resolveFormulaText(head('x', 'extends: bases/nope\n'), 'x.yaml', { loader }),
    ).toThrow(FormulaNotFoundError);
  });
});
