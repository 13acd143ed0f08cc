import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE_NAME = '@multiverse-os/formula';

/** A catalog name as the built-in catalog holds them: `bases/debian`, `service/router/star`. */
export const CATALOG_NAME = /^[a-z0-9][a-z0-9-]*(\/[a-z0-9][a-z0-9-]*)*$/;

function isPackageRoot(dir: string): boolean {
  const manifest = join(dir, 'package.json');
  if (!existsSync(manifest)) return false;
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === PACKAGE_NAME;
  } catch {
    return false;
  }
}

let packageRoot: string | null | undefined;

/**
 * The folder of this package (where `package.json`, `formula.schema.json` and `catalog/`
 * are), found from this module's file: `src/compose/` in a checkout, `dist/` once built.
 */
export function formulaPackageDir(): string | undefined {
  if (packageRoot !== undefined) return packageRoot ?? undefined;
  packageRoot = null;
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (isPackageRoot(dir)) {
      packageRoot = dir;
      break;
    }
    if (dirname(dir) === dir) break;
  }
  return packageRoot ?? undefined;
}

/**
 * The catalog that ships with this package (`bases/debian`, `application/browser/firefox`...):
 * `catalog/` in the installed package, or `examples/formulas` (its source, which the build
 * copies) in a repository checkout. Catalog names that no folder above a formula holds are
 * looked up here last, so a formula written anywhere can extend `bases/debian`.
 */
export function builtinCatalogDir(): string | undefined {
  const root = formulaPackageDir();
  if (root === undefined) return undefined;
  const checkout = join(root, '..', '..', 'examples', 'formulas');
  if (existsSync(join(root, '..', '..', 'pnpm-workspace.yaml')) && existsSync(checkout)) {
    return checkout;
  }
  const shipped = join(root, 'catalog');
  return existsSync(shipped) ? shipped : undefined;
}

/** The JSON Schema file this package ships, for editors. */
export function formulaSchemaFile(): string | undefined {
  const root = formulaPackageDir();
  const file = root === undefined ? undefined : join(root, 'formula.schema.json');
  return file !== undefined && existsSync(file) ? file : undefined;
}
