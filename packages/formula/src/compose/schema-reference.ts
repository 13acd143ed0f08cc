import { existsSync, realpathSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { formulaSchemaFile } from './catalog.js';

const INSTALLED = join('node_modules', '@multiverse-os', 'formula', 'formula.schema.json');

function real(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/**
 * What a formula written into `dir` puts in its `# yaml-language-server: $schema=` modeline
 * so editors find this package's JSON Schema offline. The language server resolves a relative
 * path against the YAML file's folder, so:
 * - in a project that installed the package, the path into the nearest `node_modules` that
 *   holds it (`./node_modules/@multiverse-os/formula/formula.schema.json`): it stays right
 *   when the project moves and reads the same on every machine;
 * - in a repository checkout, the path to `packages/formula/formula.schema.json` when that
 *   is below the folder's repository;
 * - otherwise (a global install) the schema's absolute path.
 */
export function schemaReference(dir: string): string {
  const schema = formulaSchemaFile();
  if (schema === undefined) return 'formula.schema.json';
  const target = real(schema);
  for (let at = dir; ; at = dirname(at)) {
    const candidate = join(at, INSTALLED);
    if (existsSync(candidate) && real(candidate) === target) return toRelative(dir, candidate);
    if (existsSync(join(at, 'pnpm-workspace.yaml')) && target.startsWith(real(at) + sep)) {
      return toRelative(real(dir), target);
    }
    if (dirname(at) === at) break;
  }
  return target;
}

function toRelative(from: string, to: string): string {
  const path = relative(from, to).split(sep).join('/');
  return path.startsWith('.') ? path : `./${path}`;
}
