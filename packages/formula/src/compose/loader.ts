import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, normalize, relative, resolve } from 'node:path';
import { FormulaFileError, FormulaNotFoundError } from '../errors.js';
import { builtinCatalogDir, CATALOG_NAME } from './catalog.js';
import { readFormulaFile } from './read-file.js';

/** A formula's text and the file (or id) it came from; relative paths inside resolve from it. */
export interface LoadedFormula {
  file: string;
  text: string;
}

/** Finds the formula that `reference` (an `extends:` or `children:` entry) names in `from`. */
export interface FormulaLoader {
  load(reference: string, from: string): LoadedFormula;
}

/** `./x.yaml`, `../bases/debian.yml`, `/abs/x.yaml`: a file; anything else is a catalog name. */
export function isFileReference(reference: string): boolean {
  return (
    reference.startsWith('./') ||
    reference.startsWith('../') ||
    isAbsolute(reference) ||
    /\.ya?ml$/.test(reference)
  );
}

export interface FileLoaderOptions {
  /** Extra catalog folders, searched after the folders above the formula. */
  catalogDirs?: readonly string[];
  /**
   * Search the catalog this package ships (`bases/debian`...) last; default true. Only plain
   * catalog names (`bases/debian`, lowercase segments) are looked up there.
   */
  builtinCatalog?: boolean;
  /** Formula files over this many bytes are refused unread; default 256 KiB. */
  maxBytes?: number;
}

/** What a file that another formula names must be called: formulas are YAML files. */
const FORMULA_FILE_NAME = /\.ya?ml$/;

/**
 * Loads formulas from the file system. A file reference resolves against the folder of the
 * formula that names it. A catalog name (`bases/debian`, `service/router/galaxy`) is looked
 * up as `<name>.yaml` in that folder and each folder above it, nearest first, like Node's
 * `node_modules`, then in `catalogDirs`, then in the catalog this package ships.
 *
 * A formula is a document an attacker may have written, so what it names is read with care:
 * only files named `*.yaml` or `*.yml` (so `extends: /etc/shadow` or `/proc/self/environ` is
 * refused without being opened), only regular files (no device, FIFO or directory), at most
 * `maxBytes` (see `readFormulaFile`). Errors are `FormulaFileError`s naming the path.
 */
export function createFileLoader(options: FileLoaderOptions = {}): FormulaLoader {
  return {
    load(reference, from) {
      const base = dirname(resolve(from));
      const candidates: string[] = [];
      if (isFileReference(reference)) {
        candidates.push(resolve(base, reference));
      } else {
        for (let dir = base; ; dir = dirname(dir)) {
          candidates.push(join(dir, `${reference}.yaml`), join(dir, `${reference}.yml`));
          if (dirname(dir) === dir) break;
        }
        for (const dir of options.catalogDirs ?? []) {
          candidates.push(join(resolve(dir), `${reference}.yaml`));
        }
        const builtin = options.builtinCatalog === false ? undefined : builtinCatalogDir();
        if (builtin !== undefined && CATALOG_NAME.test(reference)) {
          candidates.push(join(builtin, `${reference}.yaml`));
        }
      }
      if (isFileReference(reference) && !FORMULA_FILE_NAME.test(reference)) {
        throw new FormulaFileError(
          resolve(base, reference),
          'is not a formula file (a formula file name ends in .yaml or .yml)',
          from,
        );
      }
      const file = candidates.find((candidate) => existsSync(candidate));
      if (file === undefined) throw new FormulaNotFoundError(reference, from, candidates);
      const text = readFormulaFile(file, {
        from,
        ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
      });
      return { file, text };
    },
  };
}

/**
 * Loads formulas from a map of file name to text: for tests and for tools that keep formulas
 * elsewhere. Relative names are relative to the working folder, as for files: a file
 * reference resolves against the folder of the formula naming it, a catalog name is the key
 * `<name>.yaml`.
 */
export function createMemoryLoader(files: Readonly<Record<string, string>>): FormulaLoader {
  return {
    load(reference, from) {
      let candidates: string[];
      if (!isFileReference(reference)) {
        candidates = [`${reference}.yaml`];
      } else if (isAbsolute(reference)) {
        // Host paths are made absolute against the working folder before merging.
        candidates = [normalize(reference), relative(process.cwd(), reference)];
      } else {
        candidates = [join(dirname(from), reference)];
      }
      const file = candidates.find((candidate) => files[candidate] !== undefined);
      if (file === undefined) throw new FormulaNotFoundError(reference, from, candidates);
      return { file, text: files[file] as string };
    },
  };
}
