import { ModuleNotFoundError } from '../errors.js';

/** A kernel's module dependency graph, as read from `modules.dep` and `modules.builtin`. */
export interface ModuleIndex {
  release: string;
  /** Module name (underscores) -> path relative to /lib/modules/<release>. */
  paths: Map<string, string>;
  /** Module name -> names of the modules it needs, as `modules.dep` lists them. */
  dependencies: Map<string, string[]>;
  /** Names of modules compiled into the kernel: asking for them needs nothing loaded. */
  builtin: Set<string>;
}

/** `kernel/net/9p/9pnet-virtio.ko.xz` -> `9pnet_virtio`: how modprobe names a module file. */
export function moduleNameFromPath(path: string): string {
  const file = path.slice(path.lastIndexOf('/') + 1);
  return file.replace(/\.ko(\.[a-z]+)?$/, '').replace(/-/g, '_');
}

/** Normalises a name the way modprobe does: dashes and underscores are the same. */
export function normaliseModuleName(name: string): string {
  return name.trim().replace(/-/g, '_');
}

/** Parses `modules.dep` and `modules.builtin` text. Pure: the caller reads the files. */
export function parseModuleIndex(
  release: string,
  modulesDep: string,
  modulesBuiltin = '',
): ModuleIndex {
  const paths = new Map<string, string>();
  const dependencies = new Map<string, string[]>();
  for (const line of modulesDep.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const path = line.slice(0, colon).trim();
    const name = moduleNameFromPath(path);
    const deps = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(moduleNameFromPath);
    paths.set(name, path);
    dependencies.set(name, deps);
  }
  const builtin = new Set(
    modulesBuiltin
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean)
      .map(moduleNameFromPath),
  );
  return { release, paths, dependencies, builtin };
}

const VIRTIO_PCI = 'virtio_pci';

/**
 * Resolves requested module names to the list of modules to insmod, dependencies first.
 * `modules.dep` already lists each module's full dependency closure; we still walk it
 * depth-first so the order is right even when a line is not topologically sorted.
 * Built-in modules are skipped; unknown names throw `ModuleNotFoundError`. When any module
 * needs `virtio`, the PCI transport `virtio_pci` is added.
 */
export function resolveModuleLoadOrder(index: ModuleIndex, requested: readonly string[]): string[] {
  const order: string[] = [];
  const done = new Set<string>();
  const visiting = new Set<string>();

  const visit = (name: string): void => {
    if (done.has(name) || visiting.has(name)) return;
    if (!index.paths.has(name)) {
      if (index.builtin.has(name)) {
        done.add(name);
        return;
      }
      throw new ModuleNotFoundError(name, index.release);
    }
    visiting.add(name);
    for (const dependency of index.dependencies.get(name) ?? []) visit(dependency);
    visiting.delete(name);
    done.add(name);
    order.push(name);
  };

  for (const name of requested) visit(normaliseModuleName(name));
  // A virtio driver finds no device without a transport, and QEMU's virtio devices sit on
  // PCI: whoever loads a virtio driver needs virtio_pci too, so add it (after `virtio`).
  if (done.has('virtio') && index.paths.has(VIRTIO_PCI)) visit(VIRTIO_PCI);
  return order;
}
