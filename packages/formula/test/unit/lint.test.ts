import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import {
  didYouMean,
  type LintIssue,
  lintFormulas,
  resolveFormulaFileWithSources,
  resolveFormulaText,
  systemPathOf,
  validateFormulaText,
} from '../../src/index.js';
import { catalogFiles } from '../helpers/catalog.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'formula-lint-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const HEAD = `apiVersion: multiverse-os.org/formula/v1alpha1
kind: Portal
name: lint-me
category: application/lint
extends: bases/debian
`;

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function lint(name: string, body: string, networks?: string[]): LintIssue[] {
  const { formula, sources } = resolveFormulaFileWithSources(write(name, `${HEAD}${body}`));
  return lintFormulas([formula], { sources, ...(networks ? { networks } : {}) });
}

function only(issues: LintIssue[]) {
  expect(issues).toHaveLength(1);
  return issues[0] as LintIssue;
}

describe('lint', () => {
  it('finds nothing in the catalog', () => {
    const loaded = catalogFiles()
      .filter((file) => !file.includes('/bases/'))
      .map((file) => resolveFormulaFileWithSources(file));
    const issues = lintFormulas(
      loaded.map((l) => l.formula),
      { sources: loaded.flatMap((l) => l.sources), networks: ['universe0', 'galaxy0', 'star0'] },
    );
    expect(issues).toEqual([]);
  });

  it('flags an unknown console device at its token, suggesting the device meant', () => {
    const issue = only(
      lint(
        'console.yaml',
        'boot:\n  type: kernel\n  kernel: /boot/vmlinuz\n  cmdline: root=/dev/vda console=ttys0 quiet\n',
      ),
    );
    expect(issue).toMatchObject({
      code: 'unknown-console',
      kind: 'lint',
      line: 9,
      column: 34, // the "ttys0" after `console=`
      path: 'boot.cmdline',
      suggestion: 'ttyS0',
    });
    expect(issue.file).toBe(join(dir, 'console.yaml'));
    // Known devices, options and the uart form pass.
    expect(
      lint(
        'console-ok.yaml',
        'boot:\n  type: kernel\n  kernel: /k\n  cmdline: "console=tty0 console=ttyS1,115200n8 console=hvc0 console=uart8250,io,0x3f8"\n',
      ),
    ).toEqual([]);
  });

  it('flags read-write shares of system folders, not read-only ones or home folders', () => {
    const issues = lint(
      'shares.yaml',
      `shares:
  folders:
    - { name: etc, source: /etc }
    - { name: usr-share, source: /usr/share/doc/ }
    - { name: root, source: / }
    - { name: ssh, source: ~/.ssh }
    - { name: etc-ro, source: /etc, readonly: true }
    - { name: music, source: ~/Music }
    - { name: etcetera, source: /etcetera }
`,
    );
    expect(issues.map((i) => [i.code, i.path, i.line, i.column])).toEqual([
      ['system-share', 'shares.folders[0].source', 8, 20],
      ['system-share', 'shares.folders[1].source', 9, 26],
      ['system-share', 'shares.folders[2].source', 10, 21],
      ['system-share', 'shares.folders[3].source', 11, 20],
    ]);
    expect(issues[0]?.fix).toBe('readonly: true');
    expect(systemPathOf('/etc/../home')).toBeUndefined();
    expect(systemPathOf('/usr/../etc/x')).toBe('/etc');
  });

  it('flags networks the host plan does not define, only when a plan is given', () => {
    const body = 'networks:\n  - name: star0\n  - name: galxy0\n  - { name: user, type: user }\n';
    expect(lint('nets.yaml', body)).toEqual([]);
    const issue = only(lint('nets.yaml', body, ['universe0', 'galaxy0', 'star0']));
    expect(issue).toMatchObject({
      code: 'unknown-network',
      line: 8,
      column: 5,
      suggestion: 'galaxy0',
    });
  });

  it('flags decimal sizes with the MiB they become', () => {
    const issues = lint(
      'sizes.yaml',
      'resources: { memory: 2GB }\ndevices:\n  - memory: { size: 512MB }\n  - shmem: { name: fb, size: 32MiB }\n',
    );
    expect(issues.map((i) => [i.code, i.line, i.column, i.suggestion])).toEqual([
      ['decimal-size', 6, 14, '2GiB'],
      ['decimal-size', 8, 15, '512MiB'],
    ]);
    expect(issues[0]?.message).toContain('2000000000 bytes, 1908 MiB');
  });

  it('flags agent methods wider than the category needs, and file methods with no paths', () => {
    const issues = lint('agent.yaml', 'agent:\n  allow: [ping, exec, file.read]\n');
    expect(issues.map((i) => [i.code, i.path])).toEqual([
      ['agent-permission', 'agent.allow'],
      ['agent-permission', 'agent.allow[1]'],
    ]);
    expect(issues[1]?.message).toContain('"exec", wider than an application portal needs');
    expect(
      lint(
        'agent-ok.yaml',
        'agent:\n  allow: [ping, file.read]\n  paths: [/mnt/multiverse-portal]\n',
      ),
    ).toEqual([]);
  });

  it('flags a host device passed through to two portals of a set, at the second', () => {
    const device = 'devices:\n  - usb: { vendor: 2c97, product: "0001" }\n';
    const a = resolveFormulaFileWithSources(write('a.yaml', `${HEAD}${device}`));
    const b = resolveFormulaFileWithSources(
      write('b.yaml', HEAD.replace('lint-me', 'other') + device),
    );
    const issue = only(
      lintFormulas([a.formula, b.formula], { sources: [...a.sources, ...b.sources] }),
    );
    expect(issue).toMatchObject({ code: 'shared-device', file: join(dir, 'b.yaml'), line: 7 });
    expect(issue.message).toContain(
      'USB device 2c97:0001 is also passed through to portal "lint-me"',
    );
  });

  it('locates a finding in the base that wrote it', () => {
    write(
      'base.yaml',
      `${HEAD.replace('application/lint', 'base/lint')}abstract: true\nresources: { memory: 1GB }\n`,
    );
    const top = write('top.yaml', `${HEAD.replace('bases/debian', './base.yaml')}`);
    const { formula, sources } = resolveFormulaFileWithSources(top);
    const issue = only(lintFormulas([formula], { sources }));
    expect(issue).toMatchObject({ file: join(dir, 'base.yaml'), line: 7, code: 'decimal-size' });
  });

  it('lints without sources, naming the portal file', () => {
    const formula = resolveFormulaText(`${HEAD}resources: { memory: 3GB }\n`, join(dir, 'x.yaml'));
    expect(only(lintFormulas([formula]))).toMatchObject({ file: join(dir, 'x.yaml'), line: 0 });
  });
});

describe('mv-formula validate: lint', () => {
  function cli(...argv: string[]) {
    let stdout = '';
    let stderr = '';
    const status = runCli(argv, {
      stdout: (chunk) => {
        stdout += String(chunk);
      },
      stderr: (text) => {
        stderr += text;
      },
    });
    return { status, stdout, stderr };
  }

  it('prints warnings and passes, or fails with --strict', () => {
    const file = write(
      'cli.yaml',
      `${HEAD}resources: { memory: 2GB }\nnetworks: [{ name: star1 }]\n`,
    );
    const plan = write('plan.yaml', 'networks:\n  - { name: star0, subnet: 10.2.2.0/24 }\n');
    const loose = cli('validate', file, '--plan', plan);
    expect(loose.status).toBe(0);
    expect(loose.stdout).toBe(`${file}: ok\n`);
    expect(loose.stderr.split('\n')).toEqual([
      `${file}:6:14: warning[decimal-size]: resources.memory: 2GB is a decimal size: 2000000000 bytes, 1908 MiB; write 2GiB for the binary unit, or 1908MiB to keep this size (did you mean "2GiB"?)`,
      `${file}:7:14: warning[unknown-network]: networks[0].name: network "star1" is not one the host plan defines (star0): the portal would have no link (did you mean "star0"?)`,
      '',
    ]);
    const strict = cli('validate', '--strict', file, '--plan', plan);
    expect(strict.status).toBe(1);
    expect(strict.stderr).toContain(`${file}:6:14: error[decimal-size]`);
  });

  it('suggests the enum value meant (access: passthru)', () => {
    const file = write(
      'passthru.yaml',
      `${HEAD}shares:\n  folders:\n    - { name: music, source: ~/Music, access: passthru }\n`,
    );
    const result = cli('validate', file);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(
      `${file}:8:39: shares.folders[0].access: expected one of "mapped", "passthrough", got "passthru" (did you mean "passthrough"?)`,
    );
    expect(didYouMean('passthru', ['mapped', 'passthrough'])).toBe('passthrough');
    expect(didYouMean('pass', ['mapped', 'passthrough'])).toBeUndefined();
    expect(validateFormulaText(`${HEAD}`).ok).toBe(true);
  });
});
