import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { FORMULA_SCHEMA_ID, formulaJsonSchema, validateFormulaText } from '../../src/index.js';
import { catalogFiles, repoRoot } from '../helpers/catalog.js';

const schemaFile = join(repoRoot, 'packages', 'formula', 'formula.schema.json');

function ajvValidator() {
  // strictRequired would reject `oneOf: [{ required: [inline] }, ...]`, valid JSON Schema.
  const ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true });
  return ajv.compile(JSON.parse(readFileSync(schemaFile, 'utf8')));
}

describe('formula.schema.json', () => {
  it('is what the zod schema generates (run `pnpm generate:schema` after changing the schema)', () => {
    expect(JSON.parse(readFileSync(schemaFile, 'utf8'))).toEqual(formulaJsonSchema());
  });

  it('is a draft 2020-12 schema with a stable $id', () => {
    const schema = formulaJsonSchema();
    expect(schema['$schema']).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema['$id']).toBe(FORMULA_SCHEMA_ID);
  });

  it('accepts every formula of the catalog, checked by ajv', () => {
    const validate = ajvValidator();
    const files = catalogFiles();
    expect(files.length).toBeGreaterThanOrEqual(19);
    for (const file of files) {
      const ok = validate(parse(readFileSync(file, 'utf8')));
      expect(validate.errors ?? [], file).toEqual([]);
      expect(ok).toBe(true);
    }
  });

  it('agrees with the runtime validator on broken documents', () => {
    const validate = ajvValidator();
    const head = 'apiVersion: multiverse-os.org/formula/v1alpha1\nkind: Portal\n';
    const broken = [
      'resorces: {}',
      'resources: { cpus: 0 }',
      'resources: { memory: 12 parsecs }',
      'boot: { type: kernal, kernel: /k }',
      'devices: [{ pci: { address: nope } }]',
      'devices: [{ vsock: { cid: 1 } }]',
      'networks: [{ name: star0, mac: "00:00:10" }]',
      'shares: { folders: [{ name: a, source: /a, access: maped }] }',
      'provisioning: { scripts: [{ name: a, hook: onboot, inline: x }] }',
      'provisioning: { scripts: [{ name: a, hook: once }] }',
      'devices: [{ rng: {}, vsock: {} }]',
      'devices: [{}]',
    ];
    for (const body of broken) {
      const text = `${head}${body}\n`;
      expect(validate(parse(text)), body).toBe(false);
      expect(validateFormulaText(text).ok, body).toBe(false);
    }
  });
});

describe('formula.schema.json for editors', () => {
  it('gives every key a title, a description and examples; enums and defaults where the schema has them', () => {
    const undocumented: string[] = [];
    let enums = 0;
    let defaults = 0;
    function walk(node: unknown, path: string): void {
      if (typeof node !== 'object' || node === null) return;
      const schema = node as Record<string, unknown>;
      const properties = schema['properties'] as
        | Record<string, Record<string, unknown>>
        | undefined;
      for (const [key, property] of Object.entries(properties ?? {})) {
        const at = path ? `${path}.${key}` : key;
        for (const field of ['title', 'description', 'examples']) {
          if (property[field] === undefined) undocumented.push(`${at}: ${field}`);
        }
        if (property['enum'] !== undefined || property['const'] !== undefined) enums += 1;
        if (property['default'] !== undefined) defaults += 1;
        walk(property, at);
      }
      walk(schema['items'], `${path}[]`);
      for (const key of ['anyOf', 'oneOf']) {
        for (const branch of (schema[key] as unknown[] | undefined) ?? []) walk(branch, path);
      }
    }
    walk(formulaJsonSchema(), '');
    expect(undocumented).toEqual([]);
    expect(enums).toBeGreaterThanOrEqual(20);
    expect(defaults).toBeGreaterThan(40);
  });
});
