import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { HostFileNotFoundError } from '../errors.js';
import { type AgentInstall, type NormalizedRecipe, RECIPE_VERSION } from './recipe.js';

/** The versions of the tools that shape the image; a new mmdebstrap may build a different one. */
export interface ToolVersions {
  mmdebstrap: string;
  mkfs: string;
  qemuImg: string;
}

function readInput(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (cause) {
    throw new HostFileNotFoundError(path, `the ${what} cannot be read`, { cause });
  }
}

/**
 * A digest of everything the agent puts in the image, by content (the bundle is a few MB, and a
 * rebuilt bundle with new mtimes but the same bytes should still hit the cache).
 */
export function agentDigest(agent: AgentInstall): string {
  const hash = createHash('sha256');
  const field = (label: string, data: string | Buffer) => {
    hash.update(`${label} ${data.length}\n`);
    hash.update(data);
  };
  field('bundle', readInput(agent.bundle, 'agent bundle'));
  for (const addon of [...(agent.addons ?? [])].sort((a, b) => a.path.localeCompare(b.path))) {
    field(`addon ${addon.path}`, readInput(addon.source, 'agent addon'));
  }
  for (const [name, value] of Object.entries(agent.env ?? {}).sort(([a], [b]) =>
    a.localeCompare(b),
  )) {
    field(`env ${name}`, value);
  }
  if (agent.config !== undefined) field('config', readInput(agent.config, 'agent configuration'));
  return hash.digest('hex');
}

/**
 * The cache key of an image: a hash of every input that changes what gets built (suite,
 * mirror, the sorted package list, the kernel package, the agent's content, the file system
 * size, the host name, the tool versions and `RECIPE_VERSION`). The archive itself moves on
 * between builds; `prune` and a new key per tool version keep that bounded.
 */
export function osImageCacheKey(
  recipe: NormalizedRecipe,
  tools: ToolVersions,
  agent: string | undefined = recipe.agent ? agentDigest(recipe.agent) : undefined,
): string {
  const inputs = {
    recipeVersion: RECIPE_VERSION,
    suite: recipe.suite,
    arch: recipe.arch,
    variant: recipe.variant,
    mirror: recipe.mirror,
    components: recipe.components,
    packages: recipe.packages,
    kernelPackage: recipe.kernelPackage,
    agent: agent ?? null,
    rootfsSize: recipe.rootfsSize,
    hostname: recipe.hostname,
    tools: { mmdebstrap: tools.mmdebstrap, mkfs: tools.mkfs, qemuImg: tools.qemuImg },
  };
  return createHash('sha256').update(JSON.stringify(inputs)).digest('hex').slice(0, 32);
}
