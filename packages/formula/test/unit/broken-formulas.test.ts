import { describe, expect, it } from 'vitest';
import {
  createMemoryLoader,
  type FormulaIssue,
  FormulaValidationError,
  resolveFormulaText,
} from '../../src/index.js';

// Line 1 is apiVersion, line 2 kind, line 3 name, line 4 category, line 5 boot, line 6
// its kernel: the broken part of each case starts on line 7 unless it replaces these.
const HEAD = `apiVersion: multiverse-os.org/formula/v1alpha1
kind: Portal
name: broken
category: application/test
boot:
  type: kernel
  kernel: /boot/vmlinuz
`;

const BASE = `apiVersion: multiverse-os.org/formula/v1alpha1
kind: Portal
name: base
category: base/test
abstract: true
`;

interface Case {
  name: string;
  text: string;
  /** The issues expected, in order; only the fields given are compared. */
  issues: Partial<FormulaIssue>[];
}

const cases: Case[] = [
  {
    name: 'misspelt top-level key',
    text: `${HEAD}resorces:\n  cpus: 2\n`,
    issues: [
      { line: 8, column: 1, path: 'resorces', kind: 'unknown-key', suggestion: 'resources' },
    ],
  },
  {
    name: 'misspelt nested key',
    text: `${HEAD}resources:\n  memroy: 2GiB\n`,
    issues: [
      { line: 9, column: 3, path: 'resources.memroy', kind: 'unknown-key', suggestion: 'memory' },
    ],
  },
  {
    name: 'unknown key with nothing close',
    text: `${HEAD}colour: blue\n`,
    issues: [{ line: 8, column: 1, path: 'colour', kind: 'unknown-key', suggestion: undefined }],
  },
  {
    name: 'wrong apiVersion',
    text: HEAD.replace('formula/v1alpha1', 'formula/v9'),
    issues: [{ line: 1, column: 1, path: 'apiVersion', kind: 'invalid-value' }],
  },
  {
    name: 'misspelt kind value',
    text: HEAD.replace('kind: Portal', 'kind: Portl'),
    issues: [{ line: 2, column: 1, path: 'kind', kind: 'invalid-value', suggestion: 'Portal' }],
  },
  {
    name: 'uppercase name',
    text: HEAD.replace('name: broken', 'name: Broken Portal'),
    issues: [{ line: 3, column: 1, path: 'name', kind: 'invalid-format' }],
  },
  {
    name: 'category outside the tree',
    text: HEAD.replace('application/test', 'apps/test'),
    issues: [{ line: 4, column: 1, path: 'category', kind: 'invalid-format' }],
  },
  {
    name: 'boot type misspelt',
    text: HEAD.replace('type: kernel', 'type: kernal'),
    issues: [
      { line: 6, column: 3, path: 'boot.type', kind: 'invalid-value', suggestion: 'kernel' },
    ],
  },
  {
    name: 'kernel boot without kernel',
    text: HEAD.replace('  kernel: /boot/vmlinuz\n', ''),
    issues: [{ line: 5, column: 1, path: 'boot.kernel', kind: 'missing' }],
  },
  {
    name: 'cpus is a string',
    text: `${HEAD}resources:\n  cpus: two\n`,
    issues: [{ line: 9, column: 3, path: 'resources.cpus', kind: 'invalid-type' }],
  },
  {
    name: 'cpus is zero',
    text: `${HEAD}resources:\n  cpus: 0\n`,
    issues: [{ line: 9, column: 3, path: 'resources.cpus', kind: 'range', expected: '>= 1' }],
  },
  {
    name: 'memory in parsecs',
    text: `${HEAD}resources:\n  memory: 12 parsecs\n`,
    issues: [{ line: 9, column: 3, path: 'resources.memory', kind: 'invalid-format' }],
  },
  {
    name: 'accelerator misspelt',
    text: `${HEAD}resources:\n  accelerator: kmv\n`,
    issues: [{ line: 9, column: 3, path: 'resources.accelerator', suggestion: 'kvm' }],
  },
  {
    name: 'PCI address malformed, third device',
    text: `${HEAD}devices:\n  - rng: {}\n  - vsock: {}\n  - pci:\n      address: 3:0.0\n`,
    issues: [{ line: 12, column: 7, path: 'devices[2].pci.address', kind: 'invalid-format' }],
  },
  {
    name: 'PCI device with both address and id',
    text: `${HEAD}devices:\n  - pci: { address: '01:00.0', id: '10de:1b80' }\n`,
    issues: [{ line: 9, column: 5, path: 'devices[0].pci', kind: 'rule' }],
  },
  {
    name: 'device kind misspelt',
    text: `${HEAD}devices:\n  - vsok: {}\n`,
    issues: [
      { line: 9, column: 5, path: 'devices[0].vsok', kind: 'unknown-key', suggestion: 'vsock' },
    ],
  },
  {
    name: 'two device kinds in one entry',
    text: `${HEAD}devices:\n  - rng: {}\n    vsock: {}\n`,
    issues: [{ line: 9, column: 5, path: 'devices[0]', kind: 'rule' }],
  },
  {
    name: 'vsock cid reserved',
    text: `${HEAD}devices:\n  - vsock: { cid: 2 }\n`,
    issues: [{ line: 9, column: 14, path: 'devices[0].vsock.cid' }],
  },
  {
    name: 'USB vendor not hex',
    text: `${HEAD}devices:\n  - usb: { vendor: zzzz, product: '0001' }\n`,
    issues: [{ line: 9, column: 12, path: 'devices[0].usb.vendor', kind: 'invalid-format' }],
  },
  {
    name: 'fixed MAC malformed',
    text: `${HEAD}networks:\n  - name: star0\n    mac: 00:00:10:zz\n`,
    issues: [{ line: 10, column: 5, path: 'networks[0].mac' }],
  },
  {
    name: 'networks is a map',
    text: `${HEAD}networks:\n  star0: {}\n`,
    issues: [{ line: 8, column: 1, path: 'networks', kind: 'invalid-type' }],
  },
  {
    name: 'disk mode misspelt',
    text: `${HEAD}disks:\n  - name: root\n    image: root.qcow2\n    mode: ephemral\n`,
    issues: [{ line: 11, column: 5, path: 'disks[0].mode', suggestion: 'ephemeral' }],
  },
  {
    name: 'disk without image',
    text: `${HEAD}disks:\n  - name: root\n`,
    issues: [{ line: 9, column: 5, path: 'disks[0].image', kind: 'missing' }],
  },
  {
    name: 'share access misspelt',
    text: `${HEAD}shares:\n  folders:\n    - name: music\n      source: ~/Music\n      access: maped\n`,
    issues: [{ line: 12, column: 7, path: 'shares.folders[0].access', suggestion: 'mapped' }],
  },
  {
    name: 'share transport unknown',
    text: `${HEAD}shares:\n  transport: nfs\n`,
    issues: [{ line: 9, column: 3, path: 'shares.transport', kind: 'invalid-value' }],
  },
  {
    name: 'hook misspelt',
    text: `${HEAD}provisioning:\n  scripts:\n    - name: hi\n      hook: onboot\n      inline: echo hi\n`,
    issues: [{ line: 11, column: 7, path: 'provisioning.scripts[0].hook', suggestion: 'on-boot' }],
  },
  {
    name: 'script with neither inline nor file',
    text: `${HEAD}provisioning:\n  scripts:\n    - name: hi\n      hook: once\n`,
    issues: [{ line: 10, column: 7, path: 'provisioning.scripts[0]', kind: 'rule' }],
  },
  {
    name: 'package manager unknown',
    text: `${HEAD}provisioning:\n  packages:\n    atp: [vim]\n`,
    issues: [{ line: 10, column: 5, path: 'provisioning.packages.atp', suggestion: 'apt' }],
  },
  {
    name: 'agent transport unknown',
    text: `${HEAD}agent:\n  enabled: true\n  transport: tcp\n`,
    issues: [{ line: 10, column: 3, path: 'agent.transport', kind: 'invalid-value' }],
  },
  {
    name: 'agent method misspelt',
    text: `${HEAD}agent:\n  enabled: true\n  allow: [ping, exce]\n`,
    issues: [{ line: 10, column: 17, path: 'agent.allow[1]', suggestion: 'exec' }],
  },
  {
    name: 'agent path relative',
    text: `${HEAD}agent:\n  enabled: true\n  paths: [tmp]\n`,
    issues: [{ line: 10, column: 11, path: 'agent.paths[0]', kind: 'invalid-format' }],
  },
  {
    name: 'boot disk names no disk',
    text: HEAD.replace('  type: kernel\n  kernel: /boot/vmlinuz\n', '  type: disk\n  disk: root\n'),
    issues: [{ line: 7, column: 3, path: 'boot.disk', kind: 'rule' }],
  },
  {
    name: 'duplicate disk names',
    text: `${HEAD}disks:\n  - { name: a, image: a.img }\n  - { name: a, image: b.img }\n`,
    issues: [{ line: 10, column: 7, path: 'disks[1].name', kind: 'rule' }],
  },
  {
    name: 'read-only SATA disk',
    text: `${HEAD}disks:\n  - name: data\n    image: data.img\n    bus: sata\n    readonly: true\n`,
    issues: [{ line: 12, column: 5, path: 'disks[0].readonly', kind: 'rule' }],
  },
  {
    name: 'portal without boot',
    text: HEAD.replace('boot:\n  type: kernel\n  kernel: /boot/vmlinuz\n', ''),
    issues: [{ path: 'boot', kind: 'missing' }],
  },
  {
    name: 'duplicate YAML key',
    text: `${HEAD}name: again\n`,
    issues: [{ line: 8, column: 1, kind: 'yaml' }],
  },
  {
    name: 'YAML syntax error',
    text: `${HEAD}labels: {a: b\n`,
    issues: [{ kind: 'yaml' }],
  },
  {
    name: 'code-running tag',
    text: `${HEAD}description: !!python/object:os.system echo pwned\n`,
    issues: [{ line: 8, column: 14, kind: 'yaml' }],
  },
  {
    name: 'custom tag',
    text: `${HEAD}description: !js/function "() => 1"\n`,
    issues: [{ line: 8, column: 14, kind: 'yaml' }],
  },
  {
    name: 'billion laughs',
    text: `${HEAD}labels:\n  a: &a "lol"\n${[...Array(8).keys()]
      .map(
        (i) =>
          `x${i}: &x${i} [${Array(10)
            .fill(i === 0 ? '*a' : `*x${i - 1}`)
            .join(', ')}]`,
      )
      .join('\n')}\n`,
    issues: [{ kind: 'yaml' }],
  },
  {
    name: 'two documents in one file',
    text: `${HEAD}---\n${HEAD}`,
    issues: [{ line: 8, column: 1, kind: 'yaml' }],
  },
  {
    name: 'child without formula',
    text: `${HEAD}children:\n  - name: galaxy\n`,
    issues: [{ line: 9, column: 5, path: 'children[0].formula', kind: 'missing' }],
  },
  {
    name: 'label value is a number list',
    text: `${HEAD}labels:\n  tier: [1, 2]\n`,
    issues: [{ line: 9, column: 3, path: 'labels.tier', kind: 'invalid-type' }],
  },
  {
    name: 'document is a list',
    text: '- apiVersion: multiverse-os.org/formula/v1alpha1\n',
    issues: [{ line: 1, column: 1, path: '', kind: 'invalid-type' }],
  },
  {
    name: 'empty file',
    text: '',
    issues: [{ line: 1, column: 1, kind: 'yaml' }],
  },
  {
    name: 'a base with a misspelt key, reported in the base',
    text: `${HEAD}extends: bases/bad\n`,
    issues: [
      { file: 'bases/bad.yaml', line: 6, column: 1, path: 'resurces', suggestion: 'resources' },
    ],
  },
];

function issuesOf(text: string): FormulaIssue[] {
  const loader = createMemoryLoader({
    'bases/test.yaml': BASE,
    'bases/bad.yaml': `${BASE}resurces: { cpus: 2 }\n`,
  });
  try {
    resolveFormulaText(text, 'broken.yaml', { loader });
  } catch (error) {
    if (error instanceof FormulaValidationError) return [...error.issues];
    throw error;
  }
  throw new Error('the formula was accepted');
}

describe('broken formulas', () => {
  it('has at least 30 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  for (const testCase of cases) {
    it(testCase.name, () => {
      const issues = issuesOf(testCase.text);
      expect(issues.length).toBe(testCase.issues.length);
      testCase.issues.forEach((expected, index) => {
        const issue = issues[index];
        expect(issue?.file).toBe(expected.file ?? 'broken.yaml');
        for (const [key, value] of Object.entries(expected)) {
          expect(issue?.[key as keyof FormulaIssue], `${key} of ${JSON.stringify(issue)}`).toBe(
            value,
          );
        }
        expect(issue?.message.length).toBeGreaterThan(0);
      });
    });
  }

  it('reports every problem of a file at once, in file order', () => {
    const text = `${HEAD}resorces: {}\ndevices:\n  - pci: { address: nope }\nnetworks:\n  - name: Star0\n`;
    const issues = issuesOf(text);
    expect(issues.map((i) => [i.line, i.path])).toEqual([
      [8, 'resorces'],
      [10, 'devices[0].pci.address'],
      [12, 'networks[0].name'],
    ]);
  });

  it('rejects a file over the size limit before parsing it', () => {
    const text = `${HEAD}description: "${'x'.repeat(300 * 1024)}"\n`;
    expect(issuesOf(text)).toMatchObject([{ kind: 'size', line: 1, column: 1 }]);
  });
});
