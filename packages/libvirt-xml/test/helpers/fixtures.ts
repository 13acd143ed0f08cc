import {
  cloneDomain,
  domain,
  el,
  network,
  nwfilter,
  parseDomain,
  secret,
  storagePool,
  storageVolume,
} from '../../src/index.js';
import type { DocumentView } from '../../src/xml/index.js';

/**
 * Every document the tests build, in one place: unit tests check their typed values, and the
 * integration suite hands each one to virt-xml-validate and `virsh -c test:///default define`.
 */
export const MULTIVERSE_NS = 'https://multiverse-os.org/xmlns/instance/1';

export function readmeKernelBootDomain() {
  return domain({ name: 'mv-demo', memory: '1 GiB', vcpus: 2 })
    .kernelBoot({
      kernel: '/var/lib/mv/vmlinuz',
      initrd: '/var/lib/mv/initrd.img',
      cmdline: 'console=ttyS0 quiet',
    })
    .filesystem({ source: '/srv/mv/share', target: 'share', accessmode: 'mapped' })
    .vsock({ cid: 42 })
    .serialConsole();
}

export function fullDomain() {
  return domain({
    name: 'mv-full',
    uuid: '4dea22b3-1d52-d8f3-2516-782e98ab3fa0',
    title: `a <b> & "c" 'd'`,
    description: 'Every device family\nthe builder knows.',
    memory: '4 GiB',
    currentMemory: { value: 3, unit: 'GiB' },
    vcpus: 4,
  })
    .setMaxMemory('16 GiB', 4)
    .withMetadata(
      MULTIVERSE_NS,
      'multiverse',
      el('instance', { id: 'i-123', role: 'router' }, el('owner', {}, 'alice & bob')),
    )
    .uefi({
      loader: '/usr/share/OVMF/OVMF_CODE_4M.secboot.fd',
      nvram: '/var/lib/mv/nvram/full_VARS.fd',
      nvramTemplate: '/usr/share/OVMF/OVMF_VARS_4M.ms.fd',
      secure: true,
    })
    .withCpu({
      mode: 'host-passthrough',
      topology: { sockets: 1, dies: 1, cores: 2, threads: 2 },
      features: [{ name: 'vmx', policy: 'disable' }],
      numa: [{ id: 0, cpus: '0-3', memory: '4 GiB' }],
    })
    .withClock('utc', [
      { name: 'rtc', tickpolicy: 'catchup' },
      { name: 'hpet', present: false },
    ])
    .withLifecycle({ poweroff: 'destroy', reboot: 'restart', crash: 'coredump-destroy' })
    .withPm({ suspendToMem: false, suspendToDisk: false })
    .emulator('/usr/bin/qemu-system-x86_64')
    .disk({
      source: '/var/lib/mv/full.qcow2',
      target: 'vda',
      bus: 'virtio',
      format: 'qcow2',
      cache: 'none',
      io: 'native',
      boot: 1,
      backingStore: { file: '/var/lib/mv/base.qcow2', format: 'qcow2' },
    })
    .disk({
      source: { block: '/dev/sdb' },
      target: 'vdb',
      bus: 'virtio',
      shareable: true,
      cache: 'none',
    })
    .disk({
      source: {
        network: { protocol: 'nbd', name: 'export', hosts: [{ name: 'nbd.example', port: 10809 }] },
      },
      target: 'vdc',
      bus: 'virtio',
      serial: 'NBD-1',
    })
    .disk({
      source: '/var/lib/mv/data.img',
      target: 'sdb',
      bus: 'scsi',
      address: { type: 'drive', controller: 0, bus: 0, target: 0, unit: 1 },
    })
    .cdrom({ source: '/var/lib/mv/install.iso', target: 'sda' })
    .controller({ type: 'scsi', index: 0, model: 'virtio-scsi' })
    .controller({ type: 'virtio-serial', index: 0 })
    .controller({ type: 'usb', index: 0, model: 'qemu-xhci' })
    .filesystem({ source: '/srv/mv/ro', target: 'ro', accessmode: 'squash', readonly: true })
    .filesystem({ source: '/srv/mv/fast', target: 'fast', driver: 'virtiofs' })
    .network({
      network: 'default',
      mac: '52:54:00:12:34:56',
      model: 'virtio',
      boot: 2,
      address: { type: 'pci', domain: 0, bus: 1, slot: 0, function: 0 },
    })
    .network({ bridge: 'br0', model: 'virtio', driver: { name: 'vhost', queues: 2 }, link: 'down' })
    .network({ user: true, model: 'e1000e' })
    .network({ direct: { dev: 'eth0', mode: 'bridge' } })
    .network({ vhostuser: { path: '/run/mv/vhost.sock', mode: 'client' } })
    .serialConsole()
    .serial({ type: 'unix', path: '/run/mv/serial1.sock', port: 1 })
    .guestAgent()
    .channel({ type: 'unix', name: 'org.multiverse.agent.0', path: '/run/mv/agent.sock' })
    .channel({ type: 'spicevmc' })
    .input({ type: 'tablet', bus: 'usb' })
    .input({ type: 'keyboard', bus: 'virtio' })
    .graphics({ type: 'spice' })
    .graphics({ type: 'vnc', port: 5905, listen: '127.0.0.1' })
    .video({ model: 'virtio', heads: 1 })
    .sound({ model: 'ich9' })
    .hostdev({ pci: '0000:03:00.0' })
    .hostdev({ usb: { vendor: 0x046d, product: 0xc52b }, managed: false })
    .redirdev()
    .smartcard()
    .rng({ backend: '/dev/urandom' })
    .tpm({ model: 'tpm-crb', backend: 'emulator', version: '2.0' })
    .watchdog({ model: 'i6300esb', action: 'poweroff' })
    .memballoon({ model: 'virtio' })
    .panic({ model: 'isa' })
    .shmem({ name: 'shm-plain', model: 'ivshmem-plain', size: '4 MiB' })
    .shmem({
      name: 'shm-bell',
      model: 'ivshmem-doorbell',
      server: '/run/mv/ivshmem.sock',
      msi: { vectors: 4, ioeventfd: true },
    })
    .memoryDevice({ model: 'dimm', size: '512 MiB', node: 0 })
    .memoryDevice({
      model: 'nvdimm',
      size: '256 MiB',
      node: 0,
      label: '128 KiB',
      source: { path: '/var/lib/mv/nvdimm.img' },
    })
    .iommu({ model: 'intel', intremap: true, cachingMode: true })
    .vsock({ cid: 'auto' })
    .withQemuCommandline(['-fw_cfg', 'name=opt/mv/seed,string=42'], { MV_TRACE: '1' });
}

export function s390Domain() {
  return domain({
    name: 'mv-s390',
    memory: '512 MiB',
    arch: 's390x',
    machine: 's390-ccw-virtio',
    features: [],
  })
    .disk({
      source: '/var/lib/mv/s390.img',
      target: 'vda',
      bus: 'virtio',
      address: { type: 'ccw', cssid: 0xfe, ssid: 0, devno: 0x0001 },
    })
    .withKeywrap([
      { name: 'aes', state: true },
      { name: 'dea', state: false },
    ]);
}

export function hugepagesDomain() {
  return domain({ name: 'mv-huge', memory: '2 GiB', vcpus: 2 })
    .withMemoryBacking({ hugepages: '2 MiB', locked: true, nosharepages: true })
    .withCpu({ mode: 'maximum' })
    .bootOrder(['network', 'hd'])
    .network({ user: true, model: 'virtio' });
}

export function natNetwork() {
  return network({
    name: 'mv-nat',
    forward: 'nat',
    bridge: 'virbr42',
    domain: 'mv.internal',
    ips: [
      {
        address: '192.168.42.1',
        prefix: 24,
        dhcp: {
          range: { start: '192.168.42.100', end: '192.168.42.200' },
          hosts: [{ mac: '52:54:00:12:34:56', name: 'mv-demo', ip: '192.168.42.10' }],
        },
      },
    ],
  });
}

export function isolatedNetwork() {
  return network({
    name: 'mv-isolated',
    bridge: 'virbr43',
    mtu: 9000,
    ips: [{ address: 'fd00:42::1', prefix: 64 }],
  });
}

export function bridgedNetwork() {
  return network({ name: 'mv-bridged', forward: 'bridge', bridge: 'br0' });
}

export function dirPool() {
  return storagePool({ name: 'mv-images', path: '/var/lib/mv/images' });
}

export function netfsPool() {
  return storagePool({
    name: 'mv-nfs',
    type: 'netfs',
    path: '/mnt/mv-nfs',
    source: { host: 'nfs.example', dir: '/export/images', format: 'nfs' },
  });
}

export function qcow2Volume() {
  return storageVolume({
    name: 'root.qcow2',
    capacity: '10 GiB',
    allocation: 0,
    format: 'qcow2',
    backingStore: { path: '/var/lib/mv/images/base.qcow2', format: 'qcow2' },
  });
}

/** A parsed domain after typical edits: clone, rename, remove a NIC, swap media, new devices. */
export function editedDomain() {
  const d = cloneDomain(parseDomain(fullDomain().toXml()));
  d.name = 'mv-edited';
  const user = d.devices.interfaces.find((i) => i.type === 'user');
  if (user) d.devices.remove(user);
  d.devices.disks.find((disk) => disk.device === 'cdrom')?.setSourceFile('/var/lib/mv/other.iso');
  const direct = d.devices.interfaces.find((i) => i.type === 'direct');
  if (direct) direct.model = 'virtio';
  d.cpu.mode = 'host-model';
  return d.network({ network: 'mv-nat', mac: '52:54:00:00:00:99', model: 'virtio' });
}

/** Name -> builder, for tests that iterate over everything. */
export const BUILT_DOCUMENTS: Record<string, () => DocumentView> = {
  readmeKernelBootDomain,
  fullDomain,
  editedDomain,
  hugepagesDomain,
  s390Domain,
  natNetwork,
  isolatedNetwork,
  bridgedNetwork,
  dirPool,
  netfsPool,
  qcow2Volume,
};

export function volumeSecret() {
  return secret({
    uuid: 'c1f11a6d-8c5d-4a3e-ac7a-4e171c5e0d4a',
    description: 'LUKS key of <root.qcow2>',
    private: true,
    usage: { volume: '/var/lib/mv/images/root.qcow2' },
  });
}

export function guestFilter() {
  return nwfilter({
    name: 'mv-guest',
    chain: 'root',
    filterrefs: ['clean-traffic'],
    rules: [
      {
        action: 'accept',
        direction: 'in',
        priority: 100,
        match: { protocol: 'tcp', attrs: { dstportstart: 22 } },
      },
      { action: 'drop', direction: 'inout', match: { protocol: 'all' } },
    ],
  });
}

/**
 * Documents libvirt's test driver cannot define (no secret or nwfilter support there): they are
 * checked with virt-xml-validate only.
 */
export const SCHEMA_ONLY_DOCUMENTS: Record<string, () => DocumentView> = {
  volumeSecret,
  guestFilter,
};
