import { InstallerError } from './errors.js';
import type { InstallPlan } from './plan.js';

export interface DirectOptions {
  log?: (line: string) => void;
}

/** Placeholder until the direct path lands. */
export async function runDirect(_plan: InstallPlan, _options: DirectOptions = {}): Promise<void> {
  throw new InstallerError('DIRECT_FAILED', '--direct is not available yet');
}
