import { z } from 'zod';
import { KEY_DOCS, keyTitle } from './docs.js';
import { FormulaDocumentSchema } from './formula.js';

export const FORMULA_SCHEMA_ID =
  'https://multiverse-os.org/schemas/formula/v1alpha1/formula.schema.json';

/**
 * The published JSON Schema (draft 2020-12) of a formula document as written: what editors
 * with the YAML language server use for completion and hover. It is generated from the same
 * zod schema that validates at run time, and checked in as `formula.schema.json`.
 */
export function formulaJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(FormulaDocumentSchema, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'throw',
  });
  const { $schema, ...rest } = generated;
  document(rest, '');
  return { $schema, $id: FORMULA_SCHEMA_ID, ...rest };
}

type JsonSchema = Record<string, unknown>;

function isSchema(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Gives every key of the schema its title, description and examples from `KEY_DOCS`, walking
 * properties, list items and the branches of unions (`boot`'s kernel and disk forms).
 */
function document(schema: JsonSchema, path: string): void {
  const properties = schema['properties'];
  if (isSchema(properties)) {
    for (const [key, property] of Object.entries(properties)) {
      if (!isSchema(property)) continue;
      const at = path === '' ? key : `${path}.${key}`;
      const docs = KEY_DOCS[at];
      if (docs !== undefined) {
        property['title'] = keyTitle(key);
        property['description'] = docs[0];
        property['examples'] = docs[1];
      }
      document(property, at);
    }
  }
  const items = schema['items'];
  if (isSchema(items)) document(items, `${path}[]`);
  for (const key of ['anyOf', 'oneOf', 'allOf']) {
    const branches = schema[key];
    if (Array.isArray(branches))
      for (const branch of branches) if (isSchema(branch)) document(branch, path);
  }
}

/** The text of `formula.schema.json`: two-space JSON with a final newline. */
export function formulaJsonSchemaText(): string {
  return `${JSON.stringify(formulaJsonSchema(), null, 2)}\n`;
}
