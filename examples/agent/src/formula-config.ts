import { readFileSync } from 'node:fs';
import { type AgentConfig, AgentConfigSchema } from './agent/config.js';
import { InvalidOptionError } from './errors.js';
import { HOOK_NAMES } from './protocol/methods.js';
import type { Identity } from './tls/identity.js';

/**
 * The formula label listing the methods the host may call on the portal, comma-separated.
 * (The formula schema has no agent permissions field yet; labels are free-form.)
 */
export const ALLOW_LABEL = 'agent.multiverse-os.org/allow';
/** The formula label listing the guest paths file.* may touch, colon-separated. */
export const PATHS_LABEL = 'agent.multiverse-os.org/paths';
/** What a formula allows when it says nothing: read-only, harmless methods. */
export const DEFAULT_ALLOW = ['ping', 'heartbeat', 'profile'] as const;

/** The parts of a resolved @multiverse-os/formula portal this reads. */
export interface FormulaForAgent {
  name: string;
  labels: Record<string, string>;
  agent: { enabled: boolean; transport: string };
  provisioning: {
    scripts: {
      name: string;
      hook: string;
      inline?: string | undefined;
      file?: string | undefined;
      interpreter: string;
    }[];
  };
}

export function allowedMethods(formula: FormulaForAgent): string[] {
  const label = formula.labels[ALLOW_LABEL];
  if (label === undefined) return [...DEFAULT_ALLOW];
  return label
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean);
}

/**
 * The agent configuration a portal's formula implies: its permissions, paths and provisioning
 * scripts, plus the two certificates. `device` is the guest side of the agent's port.
 */
export function agentConfigFromFormula(
  formula: FormulaForAgent,
  keys: { portal: Identity; hostCert: string },
  device: string,
): AgentConfig {
  if (!formula.agent.enabled) {
    throw new InvalidOptionError('formula', `${formula.name}: agent.enabled is false`);
  }
  const hooks = formula.provisioning.scripts.map((script) => {
    const hook = HOOK_NAMES.find((h) => h === script.hook);
    if (hook === undefined)
      throw new InvalidOptionError('formula', `${script.name}: unknown hook ${script.hook}`);
    const inline =
      script.inline ?? (script.file === undefined ? '' : readFileSync(script.file, 'utf8'));
    return { name: script.name, hook, inline, interpreter: script.interpreter };
  });
  return AgentConfigSchema.parse({
    device,
    identity: keys.portal,
    hostCert: keys.hostCert,
    allow: allowedMethods(formula),
    paths: (formula.labels[PATHS_LABEL] ?? '').split(':').filter(Boolean),
    hooks,
  });
}
