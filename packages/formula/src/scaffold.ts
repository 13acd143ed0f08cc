import { stringify } from 'yaml';
import { schemaReference } from './compose/schema-reference.js';
import { FormulaError } from './errors.js';
import { API_VERSION, Category } from './schema/formula.js';

export interface ScaffoldOptions {
  /**
   * What the `# yaml-language-server: $schema=` modeline names: default the JSON Schema this
   * package ships, as a path that resolves from the working folder (see the README).
   */
  schema?: string;
}

/**
 * A starting formula for a category (`application/browser/firefox`): valid as it is, with
 * the Debian base of the catalog this package ships, the portal share and one network, for
 * the author to edit.
 */
export function scaffoldFormula(
  category: string,
  name?: string,
  options: ScaffoldOptions = {},
): string {
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
  const schema = options.schema ?? schemaReference(process.cwd());
  const header = `# yaml-language-server: $schema=${schema}\n`;
  return header + stringify(document);
}
