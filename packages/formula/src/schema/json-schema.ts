import { z } from 'zod';
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
  return { $schema, $id: FORMULA_SCHEMA_ID, ...rest };
}

/** The text of `formula.schema.json`: two-space JSON with a final newline. */
export function formulaJsonSchemaText(): string {
  return `${JSON.stringify(formulaJsonSchema(), null, 2)}\n`;
}
