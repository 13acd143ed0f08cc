import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseFormulaYaml } from '@multiverse-os/formula';
import { toPlanIssues } from '@multiverse-os-examples/router';
import { z } from 'zod';
import { ConfigValidationError, InstallerError } from './errors.js';

export const HOST_API_VERSION = 'multiverse-os.org/host/v1alpha1';

const Name = z.string().regex(/^[a-z][a-z0-9-]{0,62}$/, 'a lowercase name (a-z, 0-9, -)');
const FormulaRef = z.string().min(1);

const PortalEntry = z.union([
  FormulaRef,
  z.strictObject({ formula: FormulaRef, name: Name.optional() }),
]);

export const HostConfigSchema = z.strictObject({
  apiVersion: z.literal(HOST_API_VERSION),
  kind: z.literal('HostConfig'),
  name: Name,
  storage: z.strictObject({
    /** Pools and folders go under it: base-images, os-images, portal-images. */
    root: z.string().min(1),
  }),
  /** The `multiverse-portal` share layout: one folder per portal under `root`. */
  portals: z
    .strictObject({ root: z.string().min(1) })
    .prefault({ root: '~/.local/share/multiverse/portals' }),
  /** The formula catalog (relative to this file); default examples/formulas. */
  catalog: z.string().min(1).optional(),
  /** The router's network plan (relative to this file). */
  network: z.string().min(1),
  controllers: z
    .strictObject({
      router: FormulaRef.default('controller/router'),
      user: FormulaRef.default('controller/user'),
    })
    .prefault({}),
  /** Application and service portals to install, by catalog name or file. */
  install: z.array(PortalEntry).default([]),
});

export type HostConfigDocument = z.output<typeof HostConfigSchema>;

/** The configuration with every path made absolute. */
export interface HostConfig {
  name: string;
  file: string;
  storageRoot: string;
  portalRoot: string;
  catalog: string;
  network: string;
  controllers: { router: string; user: string };
  install: Array<{ formula: string; name?: string }>;
}

function knownKeys(path: readonly PropertyKey[]): string[] {
  if (path.length === 0) return Object.keys(HostConfigSchema.shape);
  if (path[0] === 'storage') return ['root'];
  if (path[0] === 'portals') return ['root'];
  if (path[0] === 'controllers') return ['router', 'user'];
  if (path[0] === 'install') return ['formula', 'name'];
  return [];
}

function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(2)) : path;
}

/** The default catalog: examples/formulas next to this example. */
export const DEFAULT_CATALOG = join(import.meta.dirname, '..', '..', 'formulas');

export function parseHostConfig(text: string, file = '<host>'): HostConfig {
  const parsed = parseFormulaYaml(text, { file });
  if (!parsed.ok) throw new ConfigValidationError(parsed.issues);
  const result = HostConfigSchema.safeParse(parsed.source.value);
  if (!result.success) {
    throw new ConfigValidationError(toPlanIssues(result.error.issues, parsed.source, knownKeys));
  }
  const doc = result.data;
  const base = dirname(resolve(file));
  const at = (path: string): string => resolve(base, expandHome(path));
  return {
    name: doc.name,
    file,
    storageRoot: at(doc.storage.root),
    portalRoot: at(doc.portals.root),
    catalog: doc.catalog === undefined ? DEFAULT_CATALOG : at(doc.catalog),
    network: at(doc.network),
    controllers: { ...doc.controllers },
    install: doc.install.map((entry) =>
      typeof entry === 'string' ? { formula: entry } : { ...entry },
    ),
  };
}

export function readHostConfig(file: string): HostConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new InstallerError('CONFIG_NOT_FOUND', `host configuration ${file} cannot be read`, {
      cause: error,
    });
  }
  return parseHostConfig(text, file);
}
