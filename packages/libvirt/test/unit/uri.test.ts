import { describe, expect, it } from 'vitest';
import { LibvirtArgumentError, LibvirtUnsupportedError } from '../../src/errors.js';
import { openTransport, SYSTEM_SOCKET, unixSocketPath } from '../../src/transport/open.js';
import { parseLibvirtUri } from '../../src/transport/uri.js';

describe('parseLibvirtUri', () => {
  it('reads the URIs users write', () => {
    const system = parseLibvirtUri('qemu:///system');
    expect(system).toMatchObject({
      driver: 'qemu',
      transport: 'unix',
      host: undefined,
      path: '/system',
      remoteName: 'qemu:///system',
    });
    expect(unixSocketPath(system)).toBe(SYSTEM_SOCKET);
    expect(
      unixSocketPath(parseLibvirtUri('qemu:///session'), { XDG_RUNTIME_DIR: '/run/user/1000' }),
    ).toBe('/run/user/1000/libvirt/libvirt-sock');
    expect(unixSocketPath(parseLibvirtUri('qemu:///system?socket=/tmp/s'))).toBe('/tmp/s');
    expect(parseLibvirtUri('qemu+tcp://10.0.0.2:16600/system')).toMatchObject({
      transport: 'tcp',
      host: '10.0.0.2',
      port: 16600,
      remoteName: 'qemu:///system',
    });
    const ssh = parseLibvirtUri('qemu+ssh://root@[fe80::1]:2222/system?keyfile=/k&no_verify=1');
    expect(ssh).toMatchObject({ transport: 'ssh', user: 'root', host: 'fe80::1', port: 2222 });
    expect(ssh.query.get('keyfile')).toBe('/k');
    expect(parseLibvirtUri('qemu://host/system').transport).toBe('tls');
  });

  it('refuses what is not a libvirt URI, naming it', () => {
    for (const bad of [
      '',
      'qemu',
      '/var/run/libvirt/libvirt-sock',
      'qemu+tcp://h:99999/system',
      '1x:///system',
    ]) {
      expect(() => parseLibvirtUri(bad)).toThrow(LibvirtArgumentError);
    }
  });

  it('refuses transports not supported yet with a typed error', async () => {
    await expect(openTransport(parseLibvirtUri('qemu+ssh://h/system'))).rejects.toBeInstanceOf(
      LibvirtUnsupportedError,
    );
  });
});
