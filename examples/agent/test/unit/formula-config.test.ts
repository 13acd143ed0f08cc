import { join } from 'node:path';
import { resolveFormulaFile, resolveFormulaText } from '@multiverse-os/formula';
import { describe, expect, it } from 'vitest';
import { agentConfigFromFormula } from '../../src/formula-config.js';

const keys = { portal: { key: 'KEY', cert: 'CERT' }, hostCert: 'HOST' };
const device = '/dev/virtio-ports/org.multiverse-os.agent.0';

describe('agent configuration from a formula', () => {
  it('takes permissions, paths and hooks from the demo formula', () => {
    const formula = resolveFormulaFile(
      join(import.meta.dirname, '..', '..', 'formula', 'agent-portal.yaml'),
    );
    const config = agentConfigFromFormula(formula, keys, device);
    expect(config.allow).toContain('exec');
    expect(config.allow).toContain('mount');
    expect(config.paths).toEqual(['/mnt/multiverse-portal', '/tmp']);
    expect(config.hooks.map((h) => `${h.hook}/${h.name}`)).toEqual([
      'on-boot/greet',
      'before-shutdown/flush',
      'on-disconnect/note-disconnect',
    ]);
    expect(config.identity).toEqual(keys.portal);
    expect(config.device).toBe(device);
  });

  it('allows only harmless methods when the formula says nothing', () => {
    const formula = resolveFormulaText(
      [
        'apiVersion: multiverse-os.org/formula/v1alpha1',
        'kind: Portal',
        'name: quiet',
        'category: application/test',
        'boot: { type: kernel, kernel: /boot/vmlinuz, cmdline: console=ttyS0 }',
        'agent: { enabled: true, transport: virtio-serial }',
      ].join('\n'),
      '/virtual/quiet.yaml',
    );
    expect(agentConfigFromFormula(formula, keys, device).allow).toEqual([
      'ping',
      'heartbeat',
      'profile',
    ]);
  });

  it('refuses a formula whose agent is disabled', () => {
    const formula = resolveFormulaText(
      'apiVersion: multiverse-os.org/formula/v1alpha1\nkind: Portal\nname: off\ncategory: application/test\nboot: { type: kernel, kernel: /k, cmdline: x }\n',
      '/virtual/off.yaml',
    );
    expect(() => agentConfigFromFormula(formula, keys, device)).toThrow(/agent.enabled is false/);
  });
});
