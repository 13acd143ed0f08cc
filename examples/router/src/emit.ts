import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { RouterError } from './errors.js';
import { routerDomainXml, routerFormula, routerFormulaYaml } from './formulas.js';
import { routerGuestFiles } from './guest-config.js';
import { libvirtNetwork } from './libvirt.js';
import type { NetworkPlan } from './plan.js';

export interface EmittedFile {
  /** Relative to the output folder. */
  path: string;
  content: string;
  mode?: number;
}

export interface EmitOptions {
  /** The formula catalog; default examples/formulas. */
  catalog?: string;
  /** Where router VMs keep their sockets and overlays (in the domain XML). */
  runDir?: string;
}

/**
 * Every file the plan turns into: `networks/<name>.xml`, `formulas/<router>.yaml`,
 * `domains/<router>.xml` and `routers/<router>/...` (the guest's own configuration).
 */
export function planFiles(plan: NetworkPlan, options: EmitOptions = {}): EmittedFile[] {
  const runDir = options.runDir ?? '/run/multiverse';
  const files: EmittedFile[] = [];
  for (const net of plan.networks) {
    files.push({ path: `networks/${net.name}.xml`, content: libvirtNetwork(net).toXml() });
  }
  for (const router of plan.routers) {
    const formula = routerFormula(router, options.catalog);
    files.push({ path: `formulas/${router.name}.yaml`, content: routerFormulaYaml(formula) });
    files.push({ path: `domains/${router.name}.xml`, content: routerDomainXml(formula, runDir) });
    for (const file of routerGuestFiles(plan, router)) {
      files.push({
        path: `routers/${router.name}/${file.name}`,
        content: file.content,
        ...(file.mode === undefined ? {} : { mode: file.mode }),
      });
    }
  }
  return files;
}

/** Writes the files under `dir`; returns their paths. */
export async function emitPlan(
  plan: NetworkPlan,
  dir: string,
  options: EmitOptions = {},
): Promise<string[]> {
  const files = planFiles(plan, options);
  const written: string[] = [];
  try {
    for (const file of files) {
      const path = join(dir, file.path);
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, file.content);
      if (file.mode !== undefined) await chmod(path, file.mode);
      written.push(path);
    }
  } catch (error) {
    throw new RouterError('EMIT_FAILED', `cannot write the plan's files under ${dir}`, {
      cause: error,
    });
  }
  return written;
}
