import { describe, expect, it } from 'vitest';
import {
  ModuleNotFoundError,
  moduleNameFromPath,
  parseModuleIndex,
  resolveModuleLoadOrder,
} from '../../src/index.js';

// A slice of Debian 12's modules.dep, enough to exercise chains and shared dependencies.
const MODULES_DEP = `kernel/fs/9p/9p.ko: kernel/net/9p/9pnet.ko kernel/fs/fscache/fscache.ko kernel/fs/netfs/netfs.ko
kernel/net/9p/9pnet.ko:
kernel/fs/fscache/fscache.ko: kernel/fs/netfs/netfs.ko
kernel/fs/netfs/netfs.ko:
kernel/net/9p/9pnet_virtio.ko: kernel/net/9p/9pnet.ko kernel/drivers/virtio/virtio_ring.ko kernel/drivers/virtio/virtio.ko
kernel/drivers/virtio/virtio_ring.ko:
kernel/drivers/virtio/virtio.ko:
kernel/drivers/virtio/virtio_pci_modern_dev.ko:
kernel/drivers/virtio/virtio_pci.ko: kernel/drivers/virtio/virtio_pci_modern_dev.ko kernel/drivers/virtio/virtio.ko kernel/drivers/virtio/virtio_ring.ko
kernel/net/vmw_vsock/vsock_loopback.ko: kernel/net/vmw_vsock/vmw_vsock_virtio_transport_common.ko kernel/net/vmw_vsock/vsock.ko
kernel/net/vmw_vsock/vmw_vsock_virtio_transport_common.ko: kernel/net/vmw_vsock/vsock.ko
kernel/net/vmw_vsock/vsock.ko:
kernel/drivers/char/dash-name.ko.xz:
`;
const BUILTIN = 'kernel/drivers/block/loop.ko\n';

describe('module names', () => {
  it('derives names the way modprobe does', () => {
    expect(moduleNameFromPath('kernel/net/9p/9pnet_virtio.ko')).toBe('9pnet_virtio');
    expect(moduleNameFromPath('kernel/drivers/char/dash-name.ko.xz')).toBe('dash_name');
  });
});

describe('resolveModuleLoadOrder', () => {
  const index = parseModuleIndex('6.1.0-test', MODULES_DEP, BUILTIN);

  it('puts every dependency before the module that needs it, once', () => {
    const order = resolveModuleLoadOrder(index, ['9p', '9pnet_virtio']);
    expect(order).toEqual([
      '9pnet',
      'netfs',
      'fscache',
      '9p',
      'virtio_ring',
      'virtio',
      '9pnet_virtio',
      'virtio_pci_modern_dev',
      'virtio_pci',
    ]);
  });

  it('orders vsock_loopback after vsock and the virtio transport', () => {
    expect(resolveModuleLoadOrder(index, ['vsock_loopback'])).toEqual([
      'vsock',
      'vmw_vsock_virtio_transport_common',
      'vsock_loopback',
    ]);
  });

  it('treats dashes and underscores alike', () => {
    expect(resolveModuleLoadOrder(index, ['dash-name'])).toEqual(['dash_name']);
  });

  it('skips built-in modules', () => {
    expect(resolveModuleLoadOrder(index, ['loop', 'netfs'])).toEqual(['netfs']);
  });

  it('adds the virtio PCI transport whenever a virtio driver is loaded', () => {
    expect(resolveModuleLoadOrder(index, ['virtio'])).toEqual([
      'virtio',
      'virtio_pci_modern_dev',
      'virtio_ring',
      'virtio_pci',
    ]);
  });

  it('names an unknown module and the kernel in its error', () => {
    const attempt = () => resolveModuleLoadOrder(index, ['nosuchmod']);
    expect(attempt).toThrow(ModuleNotFoundError);
    expect(attempt).toThrow(/"nosuchmod" is not in \/lib\/modules\/6\.1\.0-test\/modules\.dep/);
  });
});
