import { formulaJsonSchema } from './json-schema.js';

type JsonSchema = { [key: string]: unknown };

let cached: JsonSchema | undefined;

function rootSchema(): JsonSchema {
  cached ??= formulaJsonSchema();
  return cached;
}

function isSchema(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The schema itself plus every branch of its anyOf/oneOf/allOf, $refs followed. */
function branches(schema: JsonSchema, root: JsonSchema): JsonSchema[] {
  const ref = schema['$ref'];
  if (typeof ref === 'string' && ref.startsWith('#/$defs/')) {
    const defs = root['$defs'];
    const target = isSchema(defs) ? defs[ref.slice('#/$defs/'.length)] : undefined;
    return isSchema(target) ? branches(target, root) : [];
  }
  const out = [schema];
  for (const keyword of ['anyOf', 'oneOf', 'allOf']) {
    const list = schema[keyword];
    if (Array.isArray(list))
      for (const item of list.filter(isSchema)) out.push(...branches(item, root));
  }
  return out;
}

/**
 * The keys an object at `path` may hold, read from the JSON Schema: what "did you mean"
 * compares a misspelt key with. Empty when the path leads to no fixed set of keys.
 */
export function knownKeys(path: readonly PropertyKey[]): string[] {
  const root = rootSchema();
  let level: JsonSchema[] = branches(root, root);
  for (const segment of path) {
    const next: JsonSchema[] = [];
    for (const schema of level) {
      if (typeof segment === 'number') {
        if (isSchema(schema['items'])) next.push(...branches(schema['items'], root));
      } else {
        const properties = schema['properties'];
        const property = isSchema(properties) ? properties[String(segment)] : undefined;
        if (isSchema(property)) next.push(...branches(property, root));
      }
    }
    level = next;
  }
  const keys = new Set<string>();
  for (const schema of level) {
    const properties = schema['properties'];
    if (isSchema(properties)) for (const key of Object.keys(properties)) keys.add(key);
  }
  return [...keys];
}
