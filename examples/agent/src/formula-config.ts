import { readFileSync } from 'node:fs';
import { type AgentConfig, AgentConfigSchema } from './agent/config.js';
import { InvalidOptionError } from './errors.js';
import { HOOK_NAMES } from './protocol/methods.js';
import type { Identity } from './tls/identity.js';

/** The parts of a resolved @multiverse-os/formula portal this reads. */
export interface FormulaForAgent {
  name: string;
  /** `allow`: the methods the host may call; `paths`: where file.* and exec may work. */
  agent: {
    enabled: boolean;
    transport: string;
    allow: readonly string[];
    paths: readonly string[];
  };
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
    allow: [...formula.agent.allow],
    paths: [...formula.agent.paths],
    hooks,
  });
}
