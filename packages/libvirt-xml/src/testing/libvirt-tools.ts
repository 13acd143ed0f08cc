import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Runs libvirt's own tools on XML: `virt-xml-validate` / `xmllint --relaxng` with libvirt's
 * RNG schemas, `virsh -c test:///default` (libvirt's real parser, no daemon), `virt-install
 * --print-xml`, and `xmllint --c14n` for canonical comparison. For tests, here and in other
 * packages. Debian packages: libvirt-clients, libxml2-utils, virtinst.
 */
// Deliberately not a LibvirtXmlError: this subpath is bundled on its own, and an error that
// says "libvirt refused this" is about the tools, not about this package's codec.
export class LibvirtToolError extends Error {
  readonly code = 'TOOL_FAILED';

  constructor(
    readonly tool: string,
    readonly output: string,
    message: string,
  ) {
    super(`${tool}: ${message}\n${output}`);
    this.name = 'LibvirtToolError';
  }
}

export const SCHEMA_DIR = '/usr/share/libvirt/schemas';
/** The libvirt document kinds this package models, mapped to their schema names. */
export type DocumentKind =
  | 'domain'
  | 'network'
  | 'storagepool'
  | 'storagevol'
  | 'secret'
  | 'nwfilter';

const ROOT_KIND: Record<string, DocumentKind> = {
  domain: 'domain',
  network: 'network',
  pool: 'storagepool',
  volume: 'storagevol',
  secret: 'secret',
  filter: 'nwfilter',
};

/** The schema kind from the document's root element. */
export function documentKind(xml: string): DocumentKind {
  const m = /<([A-Za-z_][\w.-]*)[\s/>]/.exec(xml.replace(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->/g, ''));
  const kind = m && ROOT_KIND[m[1] as string];
  if (!kind) throw new LibvirtToolError('documentKind', xml.slice(0, 200), 'unknown root element');
  return kind;
}

/** Throws a clear error when a tool is missing, naming the Debian package to install. */
export function requireTool(tool: string, debianPackage: string): void {
  const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' });
  if (found.status !== 0) {
    throw new LibvirtToolError(
      tool,
      '',
      `not found on PATH: install the Debian package ${debianPackage}`,
    );
  }
}

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[], input?: string): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(
      file,
      args,
      { maxBuffer: 256 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

async function withTempFile<T>(xml: string, use: (path: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'mv-libvirt-xml-'));
  try {
    const path = join(dir, 'doc.xml');
    await writeFile(path, xml);
    return await use(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `virt-xml-validate`; throws with libvirt's message when the document does not validate. */
export async function virtXmlValidate(
  xml: string,
  kind: DocumentKind = documentKind(xml),
): Promise<void> {
  await withTempFile(xml, async (path) => {
    const r = await run('virt-xml-validate', [path, kind]);
    if (r.code !== 0)
      throw new LibvirtToolError(
        'virt-xml-validate',
        r.stderr + r.stdout,
        `${kind} document does not validate`,
      );
  });
}

/**
 * What `virt-xml-validate` does (`xmllint --noout --relaxng <schema>`), for many files in one
 * process: 600 domains take about half a second instead of a minute of process spawns.
 * Returns the files that failed, each with xmllint's messages.
 */
export async function validateFiles(
  files: string[],
  kind: DocumentKind,
): Promise<Map<string, string>> {
  const failures = new Map<string, string>();
  if (files.length === 0) return failures;
  const r = await run('xmllint', [
    '--noout',
    '--relaxng',
    join(SCHEMA_DIR, `${kind}.rng`),
    ...files,
  ]);
  const lines = r.stderr.split('\n');
  for (const file of files) {
    if (lines.includes(`${file} validates`)) continue;
    const messages = lines.filter(
      (l) => l.startsWith(`${file}:`) || l === `${file} fails to validate`,
    );
    failures.set(file, messages.join('\n') || r.stderr.slice(0, 2000));
  }
  return failures;
}

const DEFINE_COMMAND: Record<DocumentKind, (path: string) => string> = {
  domain: (p) => `define ${p}`,
  network: (p) => `net-define ${p}`,
  storagepool: (p) => `pool-define ${p}`,
  // test:///default ships a pool named default-pool to create volumes in.
  storagevol: (p) => `vol-create default-pool ${p}`,
  // The test driver has no secrets or filters; these need a real libvirtd.
  secret: (p) => `secret-define ${p}`,
  nwfilter: (p) => `nwfilter-define ${p}`,
};
const DUMP_COMMAND: Record<DocumentKind, (name: string) => string> = {
  domain: (n) => `dumpxml ${n}`,
  network: (n) => `net-dumpxml ${n}`,
  storagepool: (n) => `pool-dumpxml ${n}`,
  storagevol: (n) => `vol-dumpxml --pool default-pool ${n}`,
  secret: (n) => `secret-dumpxml ${n}`,
  nwfilter: (n) => `nwfilter-dumpxml ${n}`,
};

/**
 * Defines the document in libvirt's test driver (`virsh -c test:///default`, a fresh in-memory
 * hypervisor per call) and returns libvirt's own rendering of it (`dumpxml`). Throws with
 * virsh's message when libvirt refuses the document.
 */
export async function virshDefine(
  xml: string,
  kind: DocumentKind = documentKind(xml),
): Promise<string> {
  const name = /<name>([^<]*)<\/name>/.exec(xml)?.[1];
  if (!name) throw new LibvirtToolError('virsh', '', 'document has no <name>');
  return withTempFile(xml, async (path) => {
    const r = await run('virsh', [
      '-q',
      '-c',
      'test:///default',
      `${DEFINE_COMMAND[kind](path)}; ${DUMP_COMMAND[kind](name)}`,
    ]);
    if (r.code !== 0 || r.stderr.includes('error:'))
      throw new LibvirtToolError(
        'virsh define',
        r.stderr + r.stdout,
        `libvirt refused the ${kind}`,
      );
    const start = r.stdout.indexOf('<');
    return r.stdout.slice(start);
  });
}

/** `virt-install --connect test:///default --print-xml <args>`: virt-manager's own domain XML. */
export async function virtInstallXml(args: string[]): Promise<string> {
  const r = await run('virt-install', ['--connect', 'test:///default', '--print-xml', ...args]);
  if (r.code !== 0)
    throw new LibvirtToolError('virt-install', r.stderr + r.stdout, `failed for ${args.join(' ')}`);
  return r.stdout;
}

/** Canonical XML (C14N) by libxml2, independent of this package's parser. */
export async function canonicalXml(xml: string): Promise<string> {
  const r = await run('xmllint', ['--c14n', '-'], xml);
  if (r.code !== 0) throw new LibvirtToolError('xmllint --c14n', r.stderr, 'cannot canonicalize');
  return r.stdout;
}

/** Runs `fn` over `items` with at most `limit` in flight (the machines have 2 cores). */
export async function mapLimit<T, R>(
  items: T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
