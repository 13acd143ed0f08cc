// The OS image subcommands of mv-image: build, list, prune, fetch, plan.

import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { InvalidOptionError, UnbuildableFormulaError } from '../errors.js';
import { defaultCacheDir } from '../initramfs/cache.js';
import { buildOsImage, osImageStore } from './build.js';
import { fetchImage } from './fetch.js';
import {
  type FormulaForImage,
  type FormulaImagePlan,
  imagePlansForFormulaTree,
} from './formula.js';
import { installOsImage } from './install.js';
import { progressPrinter } from './progress.js';
import type { AgentInstall, DebianComponent, DebianImageRecipe, DebianSuite } from './recipe.js';

export const OS_IMAGE_USAGE = `OS images (Debian, built with mmdebstrap from Debian's archive):
  mv-image build [--package P]... [--formula FILE [--install]] [agent options]
                 build (or find in the cache) a Debian 12 image: rootfs.qcow2, vmlinuz, initrd.img
  mv-image plan --formula FILE      which image each portal of a formula needs, or why none can be built
  mv-image list [--json]            images in the cache
  mv-image prune [--all] [--unused-days N] [--json]
                                    remove failed builds' leftovers, and old or all images
  mv-image fetch LOCATION --digest sha256:HEX
                                    download (https://, file://, path) and verify an image

Build options:
  --package NAME        an apt package to install (repeat)
  --suite bookworm      Debian suite (default bookworm, Debian 12)
  --mirror URL          Debian archive (default http://deb.debian.org/debian)
  --component AREA      archive area besides main: contrib, non-free, non-free-firmware (repeat)
  --formula FILE        build what a formula names (its provisioning.packages.apt)
  --install             copy the image to the paths the formula names
  --agent-bundle FILE   the bundled agent (agent.cjs) to install as a boot service
  --agent-addon G=H     a native addon: guest path under /opt/multiverse-agent = host file (repeat)
  --agent-env K=V       the service's environment (repeat)
  --agent-config FILE   agent.json with the pinned keys (else read from fw_cfg at boot)
  --no-agent            build without the agent even if the formula enables it
  --mode unshare|root   mmdebstrap mode (default unshare)
  --timeout MINUTES     bound on mmdebstrap (default 40)
  --cache-dir DIR       cache root (default $MULTIVERSE_IMAGE_CACHE or ~/.cache/multiverse-os/image)
  --json                machine-readable output`;

export interface CommandIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Resolves a formula file; default: @multiverse-os/formula's `resolveFormulaFile`. */
  loadFormula?: (file: string) => FormulaForImage | Promise<FormulaForImage>;
}

/**
 * The formula package is optional (only `--formula` needs it, and it depends on this package's
 * tests, so this package cannot depend on it): found beside this package, else from the
 * working folder's project.
 */
async function loadFormulaWithPackage(file: string): Promise<FormulaForImage> {
  const specifier = '@multiverse-os/formula';
  type FormulaPackage = { resolveFormulaFile(file: string): FormulaForImage };
  let formulaPackage: FormulaPackage;
  try {
    formulaPackage = (await import(specifier)) as FormulaPackage;
  } catch {
    try {
      const path = createRequire(join(process.cwd(), 'package.json')).resolve(specifier);
      formulaPackage = (await import(pathToFileURL(path).href)) as FormulaPackage;
    } catch (cause) {
      throw new InvalidOptionError(
        'formula',
        `reading formulas needs @multiverse-os/formula installed beside @multiverse-os/image or in this project (${(cause as Error).message.split('\n')[0]})`,
      );
    }
  }
  return formulaPackage.resolveFormulaFile(file);
}

function pairs(values: readonly string[] | undefined, option: string): [string, string][] {
  return (values ?? []).map((spec) => {
    const at = spec.indexOf('=');
    if (at <= 0 || at === spec.length - 1)
      throw new InvalidOptionError(option, `expected A=B, got ${JSON.stringify(spec)}`);
    return [spec.slice(0, at), spec.slice(at + 1)];
  });
}

function describePlan(plan: FormulaImagePlan): string {
  if (!plan.buildable) return `${plan.formula}: cannot build (${plan.code}): ${plan.reason}`;
  const packages = plan.recipe.packages?.length
    ? plan.recipe.packages.join(' ')
    : 'no extra packages';
  return `${plan.formula}: Debian ${plan.recipe.suite} with ${packages}${plan.needsAgent ? ', agent' : ''} -> ${plan.expects.rootfs}`;
}

const json = (io: CommandIo, value: unknown) =>
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);

/**
 * Runs one OS image subcommand; resolves with the exit status. Errors are thrown (the CLI
 * prints `ImageError`s as `CODE: message`).
 */
export async function runOsImageCommand(
  command: string,
  argv: string[],
  io: CommandIo,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      package: { type: 'string', multiple: true },
      suite: { type: 'string' },
      mirror: { type: 'string' },
      component: { type: 'string', multiple: true },
      formula: { type: 'string' },
      install: { type: 'boolean' },
      'agent-bundle': { type: 'string' },
      'agent-addon': { type: 'string', multiple: true },
      'agent-env': { type: 'string', multiple: true },
      'agent-config': { type: 'string' },
      'no-agent': { type: 'boolean' },
      mode: { type: 'string' },
      timeout: { type: 'string' },
      'cache-dir': { type: 'string' },
      all: { type: 'boolean' },
      'unused-days': { type: 'string' },
      digest: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const cacheDir = values['cache-dir'] ?? defaultCacheDir();
  const store = osImageStore(cacheDir);
  switch (command) {
    case 'list': {
      const entries = store.list();
      if (values.json) {
        json(io, entries);
        return 0;
      }
      if (entries.length === 0) io.stdout.write(`no images in ${store.root}\n`);
      for (const entry of entries) {
        const m = entry.manifest;
        io.stdout.write(
          `${entry.key}  debian ${m.suite} ${m.arch}  ${(entry.diskBytes / 1024 ** 2).toFixed(0)} MiB  kernel ${m.kernelRelease}  packages: ${m.packages.join(' ') || '-'}${m.agent ? '  agent' : ''}  used ${entry.lastUsed.toISOString()}\n    ${entry.rootfs}\n`,
        );
      }
      return 0;
    }
    case 'prune': {
      const days = values['unused-days'] === undefined ? undefined : Number(values['unused-days']);
      if (days !== undefined && !(Number.isFinite(days) && days >= 0)) {
        throw new InvalidOptionError(
          '--unused-days',
          `expected a number of days, got ${values['unused-days']}`,
        );
      }
      const result = store.prune({
        ...(values.all ? { all: true } : {}),
        ...(days !== undefined ? { unusedForMs: days * 86_400_000 } : {}),
      });
      if (values.json) json(io, result);
      else
        io.stdout.write(
          `removed ${result.removed.length} entries, freed ${(result.freedBytes / 1024 ** 2).toFixed(0)} MiB\n`,
        );
      return 0;
    }
    case 'fetch': {
      const location = positionals[0];
      if (!location || !values.digest)
        throw new InvalidOptionError('fetch', 'usage: mv-image fetch LOCATION --digest sha256:HEX');
      const fetched = await fetchImage({ location, digest: values.digest }, { cacheDir });
      if (values.json) json(io, fetched);
      else io.stdout.write(`${fetched.cached ? 'cached' : 'verified'}: ${fetched.path}\n`);
      return 0;
    }
    case 'plan': {
      if (!values.formula) throw new InvalidOptionError('--formula', 'plan needs --formula FILE');
      const formula = await (io.loadFormula ?? loadFormulaWithPackage)(values.formula);
      const plans = imagePlansForFormulaTree(formula);
      if (values.json) json(io, plans);
      else for (const plan of plans) io.stdout.write(`${describePlan(plan)}\n`);
      return plans.every((plan) => plan.buildable) ? 0 : 1;
    }
    case 'build':
      break;
    default:
      throw new InvalidOptionError('command', `unknown command ${JSON.stringify(command)}`);
  }

  const mode = values.mode ?? 'unshare';
  if (mode !== 'unshare' && mode !== 'root')
    throw new InvalidOptionError('--mode', `expected unshare or root, got ${mode}`);
  const minutes = values.timeout === undefined ? undefined : Number(values.timeout);
  if (minutes !== undefined && !(Number.isFinite(minutes) && minutes > 0)) {
    throw new InvalidOptionError('--timeout', `expected minutes, got ${values.timeout}`);
  }
  let agent: AgentInstall | undefined;
  if (values['agent-bundle'] !== undefined) {
    const env = Object.fromEntries(pairs(values['agent-env'], '--agent-env'));
    agent = {
      bundle: values['agent-bundle'],
      addons: pairs(values['agent-addon'], '--agent-addon').map(([path, source]) => ({
        path,
        source,
      })),
      env,
      ...(values['agent-config'] !== undefined ? { config: values['agent-config'] } : {}),
    };
  }
  let recipe: DebianImageRecipe = {
    packages: values.package ?? [],
    ...(values.suite !== undefined ? { suite: values.suite as DebianSuite } : {}),
    ...(values.mirror !== undefined ? { mirror: values.mirror } : {}),
    components: ['main', ...((values.component ?? []) as DebianComponent[])],
  };
  let expects: { rootfs: string; kernel?: string; initrd?: string } | undefined;
  if (values.formula !== undefined) {
    const formula = await (io.loadFormula ?? loadFormulaWithPackage)(values.formula);
    const [plan] = imagePlansForFormulaTree(formula);
    if (!plan?.buildable)
      throw new UnbuildableFormulaError(
        values.formula,
        plan ? `${plan.code}: ${plan.reason}` : 'no plan',
      );
    if (plan.needsAgent && !agent && !values['no-agent']) {
      throw new InvalidOptionError(
        '--agent-bundle',
        `${plan.formula} enables the agent: pass --agent-bundle (and its addons), or --no-agent to build without it`,
      );
    }
    // The formula names the suite and packages; --mirror, --component and --package add to it.
    recipe = {
      ...recipe,
      ...plan.recipe,
      packages: [...(plan.recipe.packages ?? []), ...(values.package ?? [])],
    };
    expects = plan.expects;
  } else if (values.install) {
    throw new InvalidOptionError('--install', 'needs --formula (it names where the image goes)');
  }
  if (agent && !values['no-agent']) recipe.agent = agent;

  const built = await buildOsImage(recipe, {
    cacheDir,
    mode,
    ...(minutes !== undefined ? { timeoutMs: minutes * 60_000 } : {}),
    onProgress: progressPrinter(io.stderr),
  });
  const installed = values.install && expects ? installOsImage(built.image, expects) : [];
  if (values.json) {
    json(io, { ...built, installed });
    return 0;
  }
  io.stdout.write(
    `${built.cached ? 'cached (same inputs, nothing built)' : 'built'}: ${built.image.dir}\n  rootfs ${built.image.rootfs}\n  kernel ${built.image.kernel}\n  initrd ${built.image.initrd}\n`,
  );
  for (const path of installed) io.stdout.write(`installed ${path}\n`);
  return 0;
}
