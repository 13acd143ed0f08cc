import { QapiSchemaError } from '../../src/errors.js';
import type { QapiExpression, QapiValue } from './parser.js';

/** A type reference: a QAPI type name or a one-element list of one. */
export type TypeRef = { name: string; array: boolean };

export interface Member {
  name: string;
  optional: boolean;
  type: TypeRef;
  features: string[];
  condition?: string;
  since?: string;
}

interface Common {
  name: string;
  features: string[];
  condition?: string;
  since?: string;
  file: string;
}

export type Definition =
  | (Common & {
      kind: 'enum';
      values: Array<{ name: string; features: string[]; condition?: string }>;
    })
  | (Common & { kind: 'struct'; base?: string; members: Member[] })
  | (Common & {
      kind: 'union';
      base: string | Member[];
      discriminator: string;
      variants: Array<{ value: string; type: string; condition?: string }>;
    })
  | (Common & { kind: 'alternate'; variants: Array<{ name: string; type: TypeRef }> })
  | (Common & {
      kind: 'command';
      args?: string | Member[];
      returns?: TypeRef;
      allowOob: boolean;
    })
  | (Common & { kind: 'event'; data?: string | Member[] });

export type Kind = Definition['kind'];

/** Renders an `if` condition (string, or {all|any|not: ...}) as readable text. */
function conditionText(v: QapiValue | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'object' && !Array.isArray(v)) {
    if (v.not !== undefined) return `not ${conditionText(v.not)}`;
    for (const op of ['all', 'any'] as const) {
      const list = v[op];
      if (Array.isArray(list)) {
        return `(${list.map((x) => conditionText(x)).join(op === 'all' ? ' and ' : ' or ')})`;
      }
    }
  }
  return JSON.stringify(v);
}

function strings(v: QapiValue | undefined): string[] {
  if (!Array.isArray(v)) return [];
  return v.map((x) =>
    typeof x === 'string' ? x : typeof x === 'object' && !Array.isArray(x) ? String(x.name) : '',
  );
}

function typeRef(v: QapiValue, where: string): TypeRef {
  if (typeof v === 'string') return { name: v, array: false };
  if (Array.isArray(v) && typeof v[0] === 'string') return { name: v[0], array: true };
  throw new Error(`${where}: bad type ${JSON.stringify(v)}`);
}

function members(
  data: QapiValue | undefined,
  memberSince: Map<string, string>,
  where: string,
): Member[] {
  if (data === undefined) return [];
  if (typeof data !== 'object' || Array.isArray(data)) throw new Error(`${where}: bad data`);
  return Object.entries(data).map(([key, value]) => {
    const optional = key.startsWith('*');
    const name = optional ? key.slice(1) : key;
    const detailed = typeof value === 'object' && !Array.isArray(value);
    return {
      name,
      optional,
      type: typeRef(detailed ? (value.type as QapiValue) : value, `${where}.${name}`),
      features: detailed ? strings(value.features) : [],
      condition: detailed ? conditionText(value.if) : undefined,
      since: memberSince.get(name),
    };
  });
}

/** Turns parsed expressions into definitions; the kind is the first recognised key. */
export function buildDefinitions(expressions: QapiExpression[]): Definition[] {
  return expressions.map((e) => {
    const x = e.expr;
    const where = `${e.file}:${e.line}`;
    const common = {
      features: strings(x.features),
      condition: conditionText(x.if),
      since: e.since,
      file: e.file,
    };
    try {
      if (typeof x.enum === 'string') {
        const values = (Array.isArray(x.data) ? x.data : []).map((v) =>
          typeof v === 'string'
            ? { name: v, features: [] }
            : typeof v === 'object' && !Array.isArray(v)
              ? {
                  name: String(v.name),
                  features: strings(v.features),
                  condition: conditionText(v.if),
                }
              : { name: String(v), features: [] },
        );
        return { ...common, kind: 'enum', name: x.enum, values };
      }
      if (typeof x.struct === 'string') {
        const base = typeof x.base === 'string' ? x.base : undefined;
        return {
          ...common,
          kind: 'struct',
          name: x.struct,
          base,
          members: members(x.data, e.memberSince, where),
        };
      }
      if (typeof x.union === 'string') {
        const base =
          typeof x.base === 'string' ? x.base : members(x.base, e.memberSince, `${where} base`);
        const data = x.data && typeof x.data === 'object' && !Array.isArray(x.data) ? x.data : {};
        const variants = Object.entries(data).map(([value, v]) =>
          typeof v === 'string'
            ? { value, type: v }
            : {
                value,
                type: String((v as Record<string, QapiValue>).type),
                condition: conditionText((v as Record<string, QapiValue>).if),
              },
        );
        return {
          ...common,
          kind: 'union',
          name: x.union,
          base,
          discriminator: String(x.discriminator),
          variants,
        };
      }
      if (typeof x.alternate === 'string') {
        const data = x.data && typeof x.data === 'object' && !Array.isArray(x.data) ? x.data : {};
        const variants = Object.entries(data).map(([name, v]) => ({
          name,
          type: typeRef(
            typeof v === 'object' && !Array.isArray(v) ? (v.type as QapiValue) : v,
            where,
          ),
        }));
        return { ...common, kind: 'alternate', name: x.alternate, variants };
      }
      if (typeof x.command === 'string') {
        return {
          ...common,
          kind: 'command',
          name: x.command,
          args:
            typeof x.data === 'string'
              ? x.data
              : x.data
                ? members(x.data, e.memberSince, where)
                : undefined,
          returns: x.returns === undefined ? undefined : typeRef(x.returns, where),
          allowOob: x['allow-oob'] === true,
        };
      }
      if (typeof x.event === 'string') {
        return {
          ...common,
          kind: 'event',
          name: x.event,
          data:
            typeof x.data === 'string'
              ? x.data
              : x.data
                ? members(x.data, e.memberSince, where)
                : undefined,
        };
      }
    } catch (err) {
      throw new QapiSchemaError(e.file, e.line, (err as Error).message);
    }
    throw new QapiSchemaError(
      e.file,
      e.line,
      `unknown expression keys ${Object.keys(x).join(', ')}`,
    );
  });
}
