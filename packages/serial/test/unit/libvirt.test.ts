import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConsoleNotFoundError, InvalidDomainXmlError } from '../../src/index.js';
import { findDomainConsole } from '../../src/libvirt/index.js';

const shared = resolve(import.meta.dirname, '../../../../..', 'shared', 'libvirt-9.0', 'domain');

function fixture(name: string): string {
  const path = join(shared, name);
  if (!existsSync(path))
    throw new Error(`${path} is missing: these tests need the shared libvirt 9.0 test data`);
  return readFileSync(path, 'utf8');
}

/** What `virsh dumpxml` shows for a running domain: libvirt filled in the pty paths. */
const RUNNING = `<domain type='kvm' id='3'>
  <name>web1</name>
  <memory unit='KiB'>524288</memory>
  <os><type arch='x86_64' machine='pc-q35-7.2'>hvm</type></os>
  <devices>
    <serial type='pty'>
      <source path='/dev/pts/7'/>
      <target type='isa-serial' port='0'><model name='isa-serial'/></target>
      <alias name='serial0'/>
    </serial>
    <serial type='unix'>
      <source mode='bind' path='/run/libvirt/qemu/web1-ttyS1.sock'/>
      <target type='isa-serial' port='1'/>
      <alias name='serial1'/>
    </serial>
    <console type='pty' tty='/dev/pts/7'>
      <source path='/dev/pts/7'/>
      <target type='serial' port='0'/>
      <alias name='serial0'/>
    </console>
  </devices>
</domain>`;

describe('findDomainConsole', () => {
  it('finds the pty of a running domain, console first, like virsh console', () => {
    expect(findDomainConsole(RUNNING)).toEqual({
      endpoint: { kind: 'serial', path: '/dev/pts/7' },
      device: 'console',
      index: 0,
      type: 'pty',
      alias: 'serial0',
    });
  });

  it('picks a serial port by index: a unix bind socket is connected to', () => {
    expect(findDomainConsole(RUNNING, { device: 'serial', index: 1 }).endpoint).toEqual({
      kind: 'unix',
      path: '/run/libvirt/qemu/web1-ttyS1.sock',
    });
  });

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

  it('rejects broken XML with INVALID_DOMAIN_XML', () => {
    expect(() => findDomainConsole('<domain><devices>')).toThrow(InvalidDomainXmlError);
    expect(() => findDomainConsole('<network/>')).toThrow(InvalidDomainXmlError);
  });
});
