import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireShared } from '../../../../scripts/shared-corpus.mjs';
import { ConsoleNotFoundError } from '../../src/index.js';
import { findDomainConsole } from '../../src/libvirt/index.js';

const domains = requireShared('libvirt-9.0/domain', "libvirt 9.0's domain test XML");

function fixture(name: string): string {
  return readFileSync(join(domains, name), 'utf8');
}

describe('findDomainConsole on libvirt 9.0 test XML', () => {
  it('reads libvirt test XML: tcp connect mode is listened on, udp is skipped', () => {
    const found = findDomainConsole(fixture('serial-tcp-tlsx509-chardev.xml'), {
      device: 'serial',
    });
    expect(found.index).toBe(1);
    expect(found.endpoint).toEqual({ kind: 'tcp-listen', host: '127.0.0.1', port: 5555 });
    expect(findDomainConsole(fixture('chardev-label.xml'), { device: 'serial' }).endpoint).toEqual({
      kind: 'file',
      path: '/tmp/serial.file',
    });
  });

  it('says why when an inactive domain has no pty path yet', () => {
    const error = (() => {
      try {
        findDomainConsole(fixture('console-compat.xml'));
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ConsoleNotFoundError);
    expect((error as ConsoleNotFoundError).message).toContain('no pty path yet');
  });
});
