import type { Merged, MergedMember } from './merge.js';
import type { Definition, TypeRef } from './model.js';

/** QEMU's QMP reference (the prose lives there; the generated code carries structure only). */
export const QMP_REFERENCE = 'https://www.qemu.org/docs/master/interop/qemu-qmp-ref.html';

const BUILTINS: Record<string, string> = {
  str: 'string',
  number: 'number',
  bool: 'boolean',
  null: 'null',
  any: 'unknown',
  int8: 'number',
  int16: 'number',
  int32: 'number',
  uint8: 'number',
  uint16: 'number',
  uint32: 'number',
  // 64-bit: a bigint when the value is beyond Number.MAX_SAFE_INTEGER (see protocol/json.ts).
  int: 'QmpInt',
  int64: 'QmpInt',
  uint64: 'QmpInt',
  size: 'QmpInt',
  QType: 'QType',
};

// QAPI names that would shadow JavaScript globals get a `Qapi` prefix.
const RESERVED = new Set([
  'String',
  'Number',
  'Boolean',
  'Object',
  'Symbol',
  'Error',
  'Array',
  'Map',
  'Set',
  'Promise',
  'Date',
  'Function',
]);

export function pascal(name: string): string {
  return name
    .toLowerCase()
    .split(/[-_]/)
    .filter(Boolean)
    .map((p) => (p[0] as string).toUpperCase() + p.slice(1))
    .join('');
}

export function typeName(qapi: string): string {
  const safe = qapi.replace(/[^A-Za-z0-9_$]/g, '_');
  return RESERVED.has(safe) ? `Qapi${safe}` : safe;
}

function key(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : `'${name}'`;
}

function quote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export class Emitter {
  readonly allVersions: string[];
  private readonly types = new Map<string, Merged>();
  readonly generatedNames = new Set<string>();

  constructor(merged: Map<string, Merged>, allVersions: string[]) {
    this.allVersions = allVersions;
    for (const [k, d] of merged) if (k.startsWith('type:')) this.types.set(d.name, d);
    for (const d of this.types.values()) this.generatedNames.add(typeName(d.name));
  }

  ref(t: TypeRef): string {
    const base = BUILTINS[t.name] ?? typeName(t.name);
    return t.array ? `${base}[]` : base;
  }

  /** A name for an implicit type, unique among the schema's own names. */
  uniqueName(wanted: string): string {
    let name = wanted;
    for (let i = 2; this.generatedNames.has(name); i++) name = `${wanted}${i}`;
    this.generatedNames.add(name);
    return name;
  }

  doc(
    d: { since?: string; features: string[]; condition?: string; versions: string[] },
    extra: string[] = [],
  ): string[] {
    const lines: string[] = [];
    if (d.since) lines.push(`@since QEMU ${d.since}`);
    if (d.versions.length < this.allVersions.length) {
      lines.push(`Only in the schemas of QEMU ${d.versions.join(', ')}.`);
    }
    if (d.condition) lines.push(`Only when QEMU is built with \`${d.condition}\`.`);
    if (d.features.includes('unstable')) lines.push('Unstable: carries the `unstable` feature.');
    for (const f of d.features) {
      if (f !== 'deprecated' && f !== 'unstable') lines.push(`Feature: \`${f}\`.`);
    }
    lines.push(...extra);
    if (d.features.includes('deprecated')) lines.push('@deprecated QEMU marks this `deprecated`.');
    return lines;
  }

  comment(lines: string[], indent = ''): string {
    if (lines.length === 0) return '';
    if (lines.length === 1) return `${indent}/** ${lines[0]} */\n`;
    return `${indent}/**\n${lines.map((l) => `${indent} * ${l}`).join('\n')}\n${indent} */\n`;
  }

  members(members: MergedMember[], parentVersions: string[]): string {
    return members
      .map((m) => {
        const lines = this.doc({
          ...m,
          versions: m.versions.length < parentVersions.length ? m.versions : this.allVersions,
        });
        return `${this.comment(lines, '  ')}  ${key(m.name)}${m.optional ? '?' : ''}: ${this.ref(m.type)};\n`;
      })
      .join('');
  }

  interface(
    name: string,
    members: MergedMember[],
    versions: string[],
    doc: string[],
    base?: string,
  ): string {
    const ext = base ? ` extends ${typeName(base)}` : '';
    // A member some release moved into the base is described by the base only.
    const inherited = base ? this.memberNames(base) : new Set<string>();
    const body = this.members(
      members.filter((m) => !inherited.has(m.name)),
      versions,
    );
    if (!body && !ext) return `${this.comment(doc)}export type ${name} = Record<string, never>;\n`;
    return `${this.comment(doc)}export interface ${name}${ext} {\n${body}}\n`;
  }

  private memberNames(struct: string): Set<string> {
    const names = new Set<string>();
    for (
      let d = this.types.get(struct);
      d && d.kind === 'struct';
      d = d.base ? this.types.get(d.base) : undefined
    ) {
      for (const m of d.members) names.add(m.name);
    }
    return names;
  }

  /** Every member of a struct including its bases, to find a union's discriminator type. */
  private structMember(name: string, member: string): MergedMember | undefined {
    const d = this.types.get(name);
    if (d?.kind !== 'struct') return undefined;
    const own = (d.members as MergedMember[]).find((m) => m.name === member);
    return own ?? (d.base ? this.structMember(d.base, member) : undefined);
  }

  private enumValues(name: string): string[] {
    const d = this.types.get(name);
    return d && d.kind === 'enum' ? d.values.map((v) => v.name) : [];
  }

  definition(d: Merged): string {
    const name = typeName(d.name);
    const doc = this.doc(d);
    switch (d.kind) {
      case 'enum': {
        const values = d.values.map((v) => quote(v.name)).join(' | ');
        const extra = ['Unknown values from newer QEMUs are accepted as plain strings.'];
        return `${this.comment([...doc, ...extra])}export type ${name} = ${values || 'never'} | (string & Record<never, never>);\n`;
      }
      case 'struct':
        return this.interface(name, d.members as MergedMember[], d.versions, doc, d.base);
      case 'alternate':
        return `${this.comment(doc)}export type ${name} = ${d.variants.map((v) => this.ref(v.type)).join(' | ')};\n`;
      case 'union': {
        let out = '';
        let baseName: string;
        let discType: string | undefined;
        if (Array.isArray(d.base)) {
          baseName = this.uniqueName(`${name}Base`);
          out += this.interface(baseName, d.base as MergedMember[], d.versions, [
            `Members common to every {@link ${name}}.`,
          ]);
          discType = (d.base as MergedMember[]).find((m) => m.name === d.discriminator)?.type.name;
        } else {
          baseName = typeName(d.base);
          discType = this.structMember(d.base, d.discriminator)?.type.name;
        }
        const all = discType ? this.enumValues(discType) : [];
        const withVariant = new Set(d.variants.map((v) => v.value));
        const arms = d.variants.map(
          (v) =>
            `(${baseName} & { ${key(d.discriminator)}: ${quote(v.value)} } & ${typeName(v.type)})`,
        );
        const bare = all.filter((v) => !withVariant.has(v));
        if (bare.length)
          arms.push(`(${baseName} & { ${key(d.discriminator)}: ${bare.map(quote).join(' | ')} })`);
        if (!arms.length) arms.push(baseName);
        return `${out}${this.comment(doc)}export type ${name} =\n${arms.map((a) => `  | ${a}`).join('\n')};\n`;
      }
      default:
        return '';
    }
  }
}

export type { Definition };
