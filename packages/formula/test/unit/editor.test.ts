import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createMessageConnection,
  type MessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-jsonrpc/node.js';
import { schemaReference } from '../../src/compose/schema-reference.js';
import { scaffoldFormula } from '../../src/index.js';

// The editor side, as VS Code runs it: `yaml-language-server --stdio` speaking LSP (JSON-RPC
// over stdin/stdout), reading the formula's `# yaml-language-server: $schema=` modeline. The
// project looks like an author's: the package under node_modules, the modeline relative.
const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const server = createRequire(join(packageDir, 'package.json')).resolve(
  'yaml-language-server/bin/yaml-language-server',
);

interface Diagnostic {
  range: { start: { line: number; character: number } };
  message: string;
}

let project: string;
let child: ChildProcess;
let connection: MessageConnection;
const diagnostics = new Map<string, Diagnostic[]>();
const waiting = new Map<string, (d: Diagnostic[]) => void>();

beforeAll(async () => {
  project = mkdtempSync(join(tmpdir(), 'formula-editor-'));
  mkdirSync(join(project, 'node_modules', '@multiverse-os'), { recursive: true });
  symlinkSync(packageDir, join(project, 'node_modules', '@multiverse-os', 'formula'));
  writeFileSync(join(project, 'package.json'), '{ "name": "author", "private": true }\n');
  child = spawn(process.execPath, [server, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  connection = createMessageConnection(
    new StreamMessageReader(child.stdout as NodeJS.ReadableStream),
    new StreamMessageWriter(child.stdin as NodeJS.WritableStream),
  );
  connection.onNotification(
    'textDocument/publishDiagnostics',
    (params: { uri: string; diagnostics: Diagnostic[] }) => {
      diagnostics.set(params.uri, params.diagnostics);
      waiting.get(params.uri)?.(params.diagnostics);
    },
  );
  // The server asks the client for settings and registrations; answer as an editor would.
  connection.onRequest('workspace/configuration', () => [SETTINGS.yaml]);
  connection.onRequest('client/registerCapability', () => null);
  connection.onRequest('window/workDoneProgress/create', () => null);
  connection.listen();
  await connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri: pathToFileURL(project).href,
    capabilities: {
      textDocument: {
        completion: { completionItem: { documentationFormat: ['plaintext', 'markdown'] } },
        hover: { contentFormat: ['plaintext', 'markdown'] },
        publishDiagnostics: {},
      },
    },
    workspaceFolders: [{ uri: pathToFileURL(project).href, name: 'author' }],
  });
  connection.sendNotification('initialized', {});
  connection.sendNotification('workspace/didChangeConfiguration', { settings: SETTINGS });
}, 30_000);

afterAll(async () => {
  if (connection) {
    await Promise.race([
      connection.sendRequest('shutdown').then(() => connection.sendNotification('exit')),
      new Promise((resolve) => setTimeout(resolve, 2_000)),
    ]);
    connection.dispose();
  }
  child?.kill();
  rmSync(project, { recursive: true, force: true });
});

// Offline: no schema store download, only the modeline's local schema.
const SETTINGS = {
  yaml: {
    validate: true,
    hover: true,
    completion: true,
    schemaStore: { enable: false, url: '' },
    schemas: {},
  },
};

let version = 0;
/** Opens `text` as `name` in the project and waits for the diagnostics the server publishes. */
async function open(name: string, text: string): Promise<{ uri: string; found: Diagnostic[] }> {
  const uri = pathToFileURL(join(project, name)).href;
  writeFileSync(join(project, name), text);
  const published = new Promise<Diagnostic[]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no diagnostics for ${name} in 20 s`)), 20_000);
    waiting.set(uri, (found) => {
      clearTimeout(timer);
      resolve(found);
    });
  });
  version += 1;
  connection.sendNotification('textDocument/didOpen', {
    textDocument: { uri, languageId: 'yaml', version, text },
  });
  return { uri, found: await published };
}

function position(text: string, needle: string, after = 0): { line: number; character: number } {
  const index = text.indexOf(needle);
  if (index < 0) throw new Error(`"${needle}" is not in the text`);
  const before = text.slice(0, index + after).split('\n');
  return { line: before.length - 1, character: (before.at(-1) ?? '').length };
}

describe('yaml-language-server with the shipped schema (offline, over LSP)', () => {
  it('reports a misspelt enum value and an unknown key at their line and column', async () => {
    const scaffold = scaffoldFormula('application/browser/brave', undefined, {
      schema: schemaReference(project),
    });
    expect(scaffold).toMatch(
      /^# yaml-language-server: \$schema=\.\/node_modules\/@multiverse-os\/formula\/formula\.schema\.json\n/,
    );
    const text = scaffold
      .replace('  memory: 1GiB\n', '  memory: 1GiB\n  machine: q36\n  memroy: 2GiB\n')
      .replace('  - name: star0\n', '  - name: star0\n    model: virtoi\n');
    const { found } = await open('brave.yaml', text);
    expect(found.map((d) => ({ at: d.range.start, message: d.message.split('\n')[0] }))).toEqual([
      { at: position(text, 'q36'), message: 'Value is not accepted. Valid values: "q35", "pc".' },
      { at: position(text, 'memroy'), message: 'Property memroy is not allowed.' },
      {
        at: position(text, 'virtoi'),
        message: 'Value is not accepted. Valid values: "virtio", "e1000".',
      },
    ]);
    // The clean scaffold has none.
    expect((await open('clean.yaml', scaffold)).found).toEqual([]);
  }, 30_000);

  it('completes keys and enum values, and shows the description on hover', async () => {
    const scaffold = scaffoldFormula('application/browser/brave', undefined, {
      schema: schemaReference(project),
    });
    // An empty line inside resources: (for keys) and a transport with no value yet.
    const text = `${scaffold.replace('  cpus: 1\n', '  cpus: 1\n  \n')}shares:\n  transport: \n`;
    const { uri } = await open('complete.yaml', text);
    type Items = { items: { label: string }[] } | { label: string }[];
    const complete = async (at: { line: number; character: number }) => {
      const result = await connection.sendRequest<Items>('textDocument/completion', {
        textDocument: { uri },
        position: at,
      });
      return (Array.isArray(result) ? result : result.items).map((item) => item.label).sort();
    };
    const keys = await complete({ line: position(text, '  cpus: 1').line + 1, character: 2 });
    // Every resources key but the two already written.
    expect(keys).toEqual(['accelerator', 'cpu', 'machine']);
    const values = await complete(position(text, 'transport: \n', 'transport: '.length));
    expect(values).toEqual(['9p', 'virtiofs']);
    const hover = await connection.sendRequest<{ contents: { value: string } | string }>(
      'textDocument/hover',
      { textDocument: { uri }, position: position(text, 'memory: 1GiB', 2) },
    );
    const shown = typeof hover.contents === 'string' ? hover.contents : hover.contents.value;
    expect(shown).toContain('Guest memory: 512MiB, 2GiB (binary)');
    expect(shown).toContain('Memory');
  }, 30_000);
});
