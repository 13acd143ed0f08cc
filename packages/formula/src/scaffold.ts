import { stringify } from 'yaml';
import { FormulaError } from './errors.js';
import { API_VERSION, Category } from './schema/formula.js';
import { FORMULA_SCHEMA_ID } from './schema/json-schema.js';

/**
 * A starting formula for a category (`application/browser/firefox`): valid as it is, with
 * the Debian base, the portal share and one network, for the author to edit.
 */
export function scaffoldFormula(category: string, name?: string): string {
  if (!Category.safeParse(category).success) {
    throw new FormulaError(
      'INVALID_FORMULA',
      `"${category}" is not a category path such as application/browser/firefox`,
    );
  }
  const portal = name ?? category.split('/').at(-1) ?? 'portal';
  const document = {
    apiVersion: API_VERSION,
    kind: 'Portal',
    name: portal,
    category,
    description: `The ${portal} portal.`,
    version: '0.1.0',
    extends: 'bases/debian',
    resources: { cpus: 1, memory: '1GiB' },
    networks: [{ name: 'star0' }],
    provisioning: { packages: { apt: [] }, scripts: [] },
  };
  const header = `# yaml-language-server: $schema=${FORMULA_SCHEMA_ID}\n`;
  return header + stringify(document);
}
