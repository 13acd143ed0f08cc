import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readmeKernelBootDomain } from '../helpers/fixtures.js';

describe('README', () => {
  it('shows the XML the kernel-boot example really produces', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const shown = /```xml\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(shown).toBeDefined();
    expect(shown).toBe(readmeKernelBootDomain().toXml());
    // The example code builds the same domain as the fixture the integration tests validate.
    expect(readme).toContain("domain({ name: 'mv-demo', memory: '1 GiB', vcpus: 2 })");
    expect(readme).toContain('.vsock({ cid: 42 })');
  });
});
