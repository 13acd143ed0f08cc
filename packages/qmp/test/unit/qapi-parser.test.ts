import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Emitter } from '../../scripts/qapi/emit.js';
import { mergeVersions } from '../../scripts/qapi/merge.js';
import { buildDefinitions } from '../../scripts/qapi/model.js';
import { parseSchema } from '../../scripts/qapi/parser.js';
import { QapiSchemaError } from '../../src/errors.js';

const fixture = join(import.meta.dirname, '..', 'fixtures', 'qapi-mini', 'schema.qapi');

describe('QAPI parser and model', () => {
  const definitions = buildDefinitions(parseSchema(fixture));
  const byName = new Map(definitions.map((d) => [d.name, d]));

  it('follows includes once and keeps schema order', () => {
    expect(definitions.map((d) => `${d.kind}:${d.name}`)).toEqual([
      'enum:ShapeKind',
      'struct:Circle',
      'enum:Colour',
      'union:Shape',
      'alternate:Sized',
      'command:paint',
      'event:PAINTED',
    ]);
  });

  it('reads since, member since, conditions and features, never prose', () => {
    const colour = byName.get('Colour');
    expect(colour).toMatchObject({
      since: '1.0',
      values: [{ name: 'red' }, { name: 'infrared', condition: 'CONFIG_IR' }],
    });
    const paint = byName.get('paint');
    expect(paint).toMatchObject({
      kind: 'command',
      allowOob: true,
      features: ['unstable'],
      condition: '(CONFIG_A and not CONFIG_B)',
      returns: { name: 'Circle', array: false },
    });
    const shape = byName.get('Shape');
    expect(shape?.kind === 'union' && Array.isArray(shape.base) && shape.base[1]).toMatchObject({
      name: 'label',
      optional: true,
      since: '1.5',
    });
    expect(JSON.stringify(definitions)).not.toContain('Prose');
  });

  it('emits discriminated unions, open enums and alternates', () => {
    const merged = mergeVersions([{ label: '1', definitions }]);
    const emitter = new Emitter(merged, ['1']);
    const text = [...merged.values()].map((d) => emitter.definition(d)).join('\n');
    expect(text).toContain(
      "export type Colour = 'red' | 'infrared' | (string & Record<never, never>);",
    );
    expect(text).toContain("(ShapeBase & { kind: 'circle' } & Circle)");
    expect(text).toContain("(ShapeBase & { kind: 'square' })");
    expect(text).toContain('export type Sized = QmpInt | string;');
    expect(text).toContain("'true-colour': boolean;");
  });

  it('merges versions: union of enum values, missing members become optional', () => {
    const v1 = buildDefinitions(parseSchema(fixture));
    const v2 = structuredClone(v1);
    const circle = v2.find((d) => d.name === 'Circle');
    if (circle?.kind !== 'struct') throw new Error('fixture changed');
    circle.members = circle.members.filter((m) => m.name !== 'true-colour');
    const colour = v2.find((d) => d.name === 'Colour');
    if (colour?.kind !== 'enum') throw new Error('fixture changed');
    colour.values = [{ name: 'blue', features: [] }];
    const merged = mergeVersions([
      { label: '1', definitions: v1 },
      { label: '2', definitions: v2 },
    ]);
    const m = merged.get('type:Circle');
    expect(m?.kind === 'struct' && m.members.find((x) => x.name === 'true-colour')).toMatchObject({
      optional: true,
      versions: ['1'],
    });
    const c = merged.get('type:Colour');
    expect(c?.kind === 'enum' && c.values.map((v) => v.name)).toEqual(['blue', 'red', 'infrared']);
  });

  it('reports syntax errors with file and line', () => {
    const bad = join(import.meta.dirname, '..', 'fixtures', 'qapi-bad.qapi');
    let err: unknown;
    try {
      parseSchema(bad);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(QapiSchemaError);
    expect(err).toMatchObject({ file: 'qapi-bad.qapi', line: 3 });
  });
});
