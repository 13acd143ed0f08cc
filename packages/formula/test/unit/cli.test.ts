import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { decodeFormulaCbor, formulaJsonSchema, resolveFormulaText } from '../../src/index.js';
import { catalogDir } from '../helpers/catalog.js';

function cli(...argv: string[]) {
  let stdout = '';
  const chunks: Uint8Array[] = [];
  let stderr = '';
  const status = runCli(argv, {
    stdout: (chunk) => {
      if (typeof chunk === 'string') stdout += chunk;
      else chunks.push(chunk);
    },
    stderr: (text) => {
      stderr += text;
    },
  });
  return { status, stdout, stderr, bytes: Buffer.concat(chunks) };
}

const firefox = join(catalogDir, 'application/browser/firefox.yaml');

describe('mv-formula', () => {
  it('validates files', () => {
    const result = cli('validate', firefox, join(catalogDir, 'controller/router.yaml'));
    expect(result).toMatchObject({ status: 0, stderr: '' });
    expect(result.stdout).toContain('firefox.yaml: ok');
  });

  it('names a missing file as it was given, without the working folder glued in front', () => {
    const absolute = cli('validate', '/nonexistent.yaml');
    expect(absolute).toMatchObject({ status: 1, stdout: '' });
    expect(absolute.stderr).toBe('mv-formula: /nonexistent.yaml: no such file\n');
    const relative = cli('validate', 'no-such.yaml');
    expect(relative.stderr).toBe(
      `mv-formula: no-such.yaml: no such file (looked for ${join(process.cwd(), 'no-such.yaml')})\n`,
    );
  });

  it('compiles to qemu, fstab and cbor', () => {
    const qemu = cli('compile', firefox, '--to', 'qemu', '--run-dir', '/run/ff', '--accel', 'tcg');
    expect(qemu.status).toBe(0);
    expect(qemu.stdout).toMatch(/^qemu-img create .*\nqemu-system-x86_64 -name firefox/);
    const fstab = cli('compile', firefox, '--to', 'fstab');
    expect(fstab.stdout).toContain('multiverse-portal /mnt/multiverse-portal 9p trans=virtio');
    const cbor = cli('compile', firefox, '--to', 'cbor');
    expect(decodeFormulaCbor(cbor.bytes).name).toBe('firefox');
  });

  it('prints the JSON Schema', () => {
    expect(JSON.parse(cli('schema').stdout)).toEqual(formulaJsonSchema());
  });

  it('scaffolds a formula for a category', () => {
    const result = cli('new', 'application/browser/brave');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('category: application/browser/brave');
    expect(result.stdout).toContain('name: brave');
    // It resolves as it is, against the catalog's Debian base.
    const formula = resolveFormulaText(
      result.stdout,
      join(catalogDir, 'application/browser/brave.yaml'),
    );
    expect(formula.provisioning.packages.apt).toContain('ca-certificates');
    expect(formula.boot?.type).toBe('kernel');
  });

  it('explains bad usage, naming the bad argument and what is accepted', () => {
    const xml = cli('compile', firefox, '--to', 'xml');
    expect(xml).toMatchObject({ status: 2, stdout: '' });
    expect(xml.stderr).toBe('mv-formula: --to xml: expected one of libvirt, qemu, fstab, cbor\n');
    expect(cli('compile', firefox, '--to', 'libvrt').stderr).toContain('(did you mean "libvirt"?)');
    expect(cli('compile', firefox).stderr).toMatch(
      /^mv-formula: compile needs --to \(one of libvirt/,
    );
    expect(cli('compile', firefox, '--to', 'qemu', '--accel', 'hvf').stderr).toBe(
      'mv-formula: --accel hvf: expected one of kvm, tcg (did you mean "kvm"?)\n',
    );
    const unknown = cli('valdate', firefox);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(
      /^mv-formula: unknown command "valdate" \(did you mean "validate"\?\)/,
    );
    expect(cli('compile', firefox, '--bogus').stderr).toMatch(/^mv-formula: .*--bogus/);
    expect(cli('new', 'Not A Category').status).toBe(1);
  });
});

describe('mv-formula compile --to libvirt', () => {
  it('prints a domain document', () => {
    const result = cli('compile', firefox, '--to', 'libvirt', '--run-dir', '/run/ff');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^<domain type="kvm">\n {2}<name>firefox<\/name>/);
    expect(result.stdout).toContain('<source mode="bind" path="/run/ff/console.sock"/>');
  });
});
