import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import {
  allocateMacs,
  createFileLoader,
  FormulaError,
  isFileReference,
  type ResolvedFormula,
  resolveFormulaFile,
  toFstab,
  toLibvirtDomain,
} from '@multiverse-os/formula';
import { storagePool } from '@multiverse-os/libvirt-xml';
import {
  libvirtNetwork,
  type NetworkPlan,
  readPlan,
  routerFormula,
} from '@multiverse-os-examples/router';
import type { HostConfig } from './config.js';
import { InstallerError } from './errors.js';

/** Where catalog formulas expect images; the installer moves them under its storage root. */
export const CATALOG_IMAGE_ROOT = '/var/lib/multiverse/images/';
export const POOL_FOLDERS = ['base-images', 'os-images', 'portal-images'] as const;

export type DomainRole = 'router-controller' | 'user-controller' | 'router' | 'portal';

export interface PlannedDomain {
  name: string;
  role: DomainRole;
  category: string;
  formula: ResolvedFormula;
  xml: string;
  fstab: string[];
  networks: string[];
  images: string[];
}

export interface InstallPlan {
  name: string;
  uriHint?: string;
  storageRoot: string;
  folders: string[];
  pools: Array<{ name: string; path: string; xml: string }>;
  networks: Array<{ name: string; xml: string }>;
  domains: PlannedDomain[];
  images: Array<{ path: string; usedBy: string[]; exists: boolean }>;
  /** The router's network plan the networks and router VMs come from. */
  networkPlan: NetworkPlan;
}

function relocate(path: string, storageRoot: string): string {
  return path.startsWith(CATALOG_IMAGE_ROOT)
    ? join(storageRoot, 'os-images', path.slice(CATALOG_IMAGE_ROOT.length))
    : path;
}

/** The formula with its images under the storage root and its share in the portal layout. */
function placeFormula(formula: ResolvedFormula, config: HostConfig, name: string): ResolvedFormula {
  const boot =
    formula.boot?.type === 'kernel'
      ? {
          ...formula.boot,
          kernel: relocate(formula.boot.kernel, config.storageRoot),
          ...(formula.boot.initrd === undefined
            ? {}
            : { initrd: relocate(formula.boot.initrd, config.storageRoot) }),
        }
      : formula.boot;
  const portal = formula.shares.portal;
  return {
    ...formula,
    name,
    ...(boot === undefined ? {} : { boot }),
    disks: formula.disks.map((d) => ({ ...d, image: relocate(d.image, config.storageRoot) })),
    shares: {
      ...formula.shares,
      portal: { ...portal, source: portal.source ?? join(config.portalRoot, name) },
    },
    children: [],
  };
}

function imagesOf(formula: ResolvedFormula): string[] {
  const out: string[] = [];
  if (formula.boot?.type === 'kernel') {
    out.push(formula.boot.kernel);
    if (formula.boot.initrd !== undefined) out.push(formula.boot.initrd);
  }
  for (const disk of formula.disks) out.push(disk.image);
  return out;
}

function loadFormula(reference: string, config: HostConfig, what: string): ResolvedFormula {
  const file = isFileReference(reference)
    ? resolve(dirname(resolve(config.file)), reference)
    : join(config.catalog, `${reference}.yaml`);
  try {
    return resolveFormulaFile(file, {
      loader: createFileLoader({ catalogDirs: [config.catalog] }),
    });
  } catch (error) {
    if (error instanceof FormulaError) {
      throw new InstallerError('INVALID_PLAN', `${what} (${reference}): ${error.message}`, {
        cause: error,
      });
    }
    throw error;
  }
}

/**
 * Everything the installer would do, computed without touching the host: folders, pools,
 * networks (from the router plan), the controllers, router VMs and portals as libvirt
 * domains, each guest's fstab lines and the images they boot from.
 */
export function buildInstallPlan(config: HostConfig): InstallPlan {
  const network = readPlan(config.network);
  const entries: Array<{ role: DomainRole; formula: ResolvedFormula }> = [];
  const add = (role: DomainRole, reference: string, what: string, name?: string): void => {
    const formula = loadFormula(reference, config, what);
    entries.push({ role, formula: placeFormula(formula, config, name ?? formula.name) });
  };
  add('router-controller', config.controllers.router, 'router controller');
  add('user-controller', config.controllers.user, 'user controller');
  for (const router of network.routers) {
    const formula = routerFormula(router, config.catalog);
    entries.push({ role: 'router', formula: placeFormula(formula, config, router.name) });
  }
  for (const [i, entry] of config.install.entries()) {
    add('portal', entry.formula, `install[${i}]`, entry.name);
  }

  const names = new Set<string>();
  const networkNames = new Set(network.networks.map((n) => n.name));
  for (const { formula } of entries) {
    if (names.has(formula.name)) {
      throw new InstallerError(
        'INVALID_PLAN',
        `two guests are named ${formula.name}: give one a name in install:`,
      );
    }
    names.add(formula.name);
    const unknown = formula.networks.filter(
      (n) => n.type === 'bridge' && !networkNames.has(n.name),
    );
    if (unknown.length > 0) {
      throw new InstallerError(
        'INVALID_PLAN',
        `${formula.name} uses network ${unknown.map((n) => n.name).join(', ')}, which the network plan ${network.file} does not declare`,
      );
    }
  }
  const macs = allocateMacs(entries.map((e) => e.formula));
  const runRoot = join(config.storageRoot, 'run');
  const domains = entries.map(
    ({ role, formula }): PlannedDomain => ({
      name: formula.name,
      role,
      category: formula.category,
      formula,
      xml: toLibvirtDomain(formula, { runDir: join(runRoot, formula.name), macs }).toXml(),
      fstab: toFstab(formula)
        .split('\n')
        .filter((line) => line.length > 0),
      networks: formula.networks.map((n) => n.name),
      images: imagesOf(formula),
    }),
  );
  const usedBy = new Map<string, string[]>();
  for (const d of domains)
    for (const image of d.images) usedBy.set(image, [...(usedBy.get(image) ?? []), d.name]);
  const poolDirs = POOL_FOLDERS.map((f) => join(config.storageRoot, f));
  const shareDirs = domains
    .filter((d) => d.formula.shares.portal.enabled)
    .map((d) => d.formula.shares.portal.source as string);
  return {
    name: config.name,
    storageRoot: config.storageRoot,
    folders: [config.storageRoot, ...poolDirs, runRoot, config.portalRoot, ...shareDirs],
    pools: POOL_FOLDERS.map((folder, i) => {
      const name = `mv-${folder}`;
      const path = poolDirs[i] as string;
      return { name, path, xml: storagePool({ name, type: 'dir', path }).toXml() };
    }),
    networks: network.networks.map((n) => ({ name: n.name, xml: libvirtNetwork(n).toXml() })),
    domains,
    images: [...usedBy].map(([path, users]) => ({ path, usedBy: users, exists: existsSync(path) })),
    networkPlan: network,
  };
}
