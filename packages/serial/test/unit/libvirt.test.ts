import { describe, expect, it } from 'vitest';
import { InvalidDomainXmlError } from '../../src/index.js';
import { findDomainConsole } from '../../src/libvirt/index.js';

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

  it('rejects broken XML with INVALID_DOMAIN_XML', () => {
    expect(() => findDomainConsole('<domain><devices>')).toThrow(InvalidDomainXmlError);
    expect(() => findDomainConsole('<network/>')).toThrow(InvalidDomainXmlError);
  });
});
