/**
 * What editors show for each key of a formula (hover and completion, through the JSON
 * Schema): a description and examples, by the key's path (`disks[].mode`). The runtime
 * schema (formula.ts) holds the rules; this holds the words for authors. A test fails when a
 * key of the schema has no entry here.
 */
export const KEY_DOCS: Readonly<Record<string, readonly [string, readonly unknown[]]>> = {
  apiVersion: ['The formula format and its version.', ['multiverse-os.org/formula/v1alpha1']],
  kind: ['What the document describes: a portal (a virtual machine).', ['Portal']],
  name: [
    "The portal's name: its domain, sockets and MACs derive from it. Lowercase letters, digits, '.', '_' and '-', at most 63 characters.",
    ['firefox', 'galaxy-router'],
  ],
  category: [
    'What the portal is for, as a path: the root is application, service, controller or base.',
    ['application/browser/firefox', 'service/router/star', 'controller/user', 'base/debian'],
  ],
  description: [
    'One sentence about the portal, for people.',
    ['Firefox ESR in its own disposable portal.'],
  ],
  version: ["The formula's semantic version.", ['0.1.0', '1.2.0-beta.1']],
  labels: ['Free key/value labels for tools (lowercase keys).', [{ team: 'browsers' }]],
  abstract: ['A base only extended by others, never run; not inherited.', [true]],
  extends: [
    'Base formulas merged under this one, in order: a file (./x.yaml) or a catalog name (bases/debian, shipped with the package).',
    ['bases/debian', ['bases/debian', './local-base.yaml']],
  ],
  resources: ['CPUs, memory and the machine QEMU emulates.', [{ cpus: 2, memory: '2GiB' }]],
  'resources.cpus': ['Virtual CPUs (1 to 256).', [1, 2, 4]],
  'resources.memory': [
    'Guest memory: 512MiB, 2GiB (binary), 2GB (decimal: 1908 MiB, lint warns) or a number of MiB.',
    ['1GiB', '2GiB', 512],
  ],
  'resources.machine': ['QEMU machine type: q35 (PCIe, SATA) or pc (i440fx).', ['q35']],
  'resources.accelerator': ['kvm (hardware) or tcg (emulation, no /dev/kvm needed).', ['kvm']],
  'resources.cpu': ['QEMU CPU model: host, max, qemu64, a named model...', ['host', 'max']],
  boot: [
    'How the portal boots: a kernel given directly (type: kernel) or a disk with firmware (type: disk).',
    [{ type: 'kernel', kernel: '/var/lib/multiverse/images/debian-12/vmlinuz' }],
  ],
  'boot.type': [
    'kernel: direct kernel boot; disk: boot a disk through UEFI or BIOS.',
    ['kernel', 'disk'],
  ],
  'boot.kernel': [
    'Host path of the kernel image (relative paths are from this file).',
    ['/var/lib/multiverse/images/debian-12/vmlinuz'],
  ],
  'boot.initrd': [
    'Host path of the initial ramdisk.',
    ['/var/lib/multiverse/images/debian-12/initrd.img'],
  ],
  'boot.cmdline': [
    'The kernel command line; console=ttyS0 gives the portal its serial console.',
    ['console=ttyS0 root=/dev/vda ro quiet'],
  ],
  'boot.disk': ['The name of the disk (under disks:) to boot from.', ['root']],
  'boot.firmware': ['uefi (OVMF) or bios (SeaBIOS).', ['uefi']],
  'boot.secureBoot': ['UEFI Secure Boot (needs firmware: uefi).', [false]],
  disks: [
    'Block devices; an item replaces a base item of the same name.',
    [[{ name: 'root', image: 'base.qcow2' }]],
  ],
  'disks[].name': ["The disk's name, unique in the portal.", ['root', 'data']],
  'disks[].image': [
    'The host image: the base of an ephemeral disk, or the disk.',
    ['/var/lib/multiverse/images/debian-12/rootfs.qcow2'],
  ],
  'disks[].format': ['Image format.', ['qcow2', 'raw']],
  'disks[].mode': [
    'ephemeral: writes go to a qcow2 overlay thrown away on shutdown; persistent: to the image.',
    ['ephemeral', 'persistent'],
  ],
  'disks[].readonly': ['The guest cannot write the disk.', [true]],
  'disks[].cache': ["QEMU's cache mode for the disk.", ['none', 'writeback']],
  'disks[].bus': [
    'How the disk is attached: virtio (vd*), sata or scsi (sd*).',
    ['virtio', 'sata'],
  ],
  'disks[].size': ['Size of the overlay or a new persistent disk.', ['20GiB']],
  shares: [
    'Host folders shared with the portal over 9P or virtiofs.',
    [{ transport: '9p', folders: [] }],
  ],
  'shares.transport': [
    '9p (QEMU or Multiverse server) or virtiofs (virtiofsd).',
    ['9p', 'virtiofs'],
  ],
  'shares.server': [
    "9P server: QEMU's own, or Multiverse's p9 server over TCP.",
    ['qemu', 'multiverse'],
  ],
  'shares.serverAddress': [
    "Where Multiverse's 9P server listens, as the guest reaches it.",
    ['tcp:10.0.2.2:5640'],
  ],
  'shares.portal': [
    'The portal share (`multiverse-portal`): on by default, folders are linked into it.',
    [{ access: 'mapped' }],
  ],
  'shares.portal.enabled': ['Share the portal folder at all.', [true, false]],
  'shares.portal.tag': [
    'The 9P/virtiofs mount tag (at most 31 bytes for 9P).',
    ['multiverse-portal'],
  ],
  'shares.portal.source': [
    'Host folder; default ~/.local/share/multiverse/portals/<name>.',
    ['~/portals/firefox'],
  ],
  'shares.portal.mountPoint': ['Where the guest mounts the share.', ['/mnt/multiverse-portal']],
  'shares.portal.access': [
    'mapped: owners and modes in xattrs; passthrough: host ids as they are.',
    ['mapped', 'passthrough'],
  ],
  'shares.portal.readonly': ['The guest cannot write the share.', [true]],
  'shares.folders': [
    'More host folders; an item replaces a base item of the same name.',
    [[{ name: 'downloads', source: '~/Downloads' }]],
  ],
  'shares.folders[].name': [
    "The folder's name (its tag, and its folder in the portal share).",
    ['downloads'],
  ],
  'shares.folders[].source': [
    'Host folder linked into the portal share. A system folder (/etc, /usr...) read-write is a lint warning.',
    ['~/Downloads'],
  ],
  'shares.folders[].target': [
    'Guest mount point; default <portal mountPoint>/<name>.',
    ['/home/user/Music'],
  ],
  'shares.folders[].access': [
    'mapped: owners and modes in xattrs; passthrough: host ids as they are.',
    ['mapped', 'passthrough'],
  ],
  'shares.folders[].readonly': ['The guest cannot write the folder.', [true]],
  networks: [
    'Network interfaces; an item replaces a base item of the same name.',
    [[{ name: 'star0' }]],
  ],
  'networks[].name': [
    'A named network: universe0, galaxy0, star0 (the host plan defines them), or user.',
    ['star0', 'galaxy0'],
  ],
  'networks[].type': [
    'bridge: the host bridge named like the network; user: QEMU slirp.',
    ['bridge', 'user'],
  ],
  'networks[].mac': [
    'auto (00:00:10:X:X:X from the portal and network names) or a fixed unicast MAC.',
    ['auto', '00:00:10:ab:cd:ef'],
  ],
  'networks[].model': ['The NIC model.', ['virtio', 'e1000']],
  devices: [
    'Devices, each entry one kind: pci, usb, vsock, serial, channel, rng, memory or shmem.',
    [[{ rng: {} }, { vsock: { cid: 'auto' } }]],
  ],
  'devices[].pci': [
    'A host PCI device passed through (VFIO), by address or by vendor:device id.',
    [{ address: '0000:03:00.0' }, { id: '10de:1b80' }],
  ],
  'devices[].pci.address': ['The host PCI address, domain:bus:slot.function.', ['0000:03:00.0']],
  'devices[].pci.id': ['vendor:device; the host must have exactly one.', ['10de:1b80']],
  'devices[].pci.rom': ["Expose the device's option ROM.", [true]],
  'devices[].usb': [
    'A host USB device passed through, by vendor and product id.',
    [{ vendor: '2c97', product: '0001' }],
  ],
  'devices[].usb.vendor': ['USB vendor id, four hex digits.', ['2c97']],
  'devices[].usb.product': ['USB product id, four hex digits (quote it: "0001").', ['0001']],
  'devices[].vsock': ['A virtio vsock device (the agent talks over it).', [{ cid: 'auto' }]],
  'devices[].vsock.cid': ['Guest context id; auto picks one from the portal name.', ['auto', 42]],
  'devices[].serial': [
    'An extra serial port on a host socket (the console is always there).',
    [{ name: 'debug' }],
  ],
  'devices[].serial.name': ["The serial port's name (its socket).", ['debug']],
  'devices[].channel': [
    'A virtio-serial channel with a port name.',
    [{ name: 'org.multiverse-os.editor.0' }],
  ],
  'devices[].channel.name': ['The port name the guest sees.', ['org.multiverse-os.editor.0']],
  'devices[].rng': ['A virtio RNG fed from a host source.', [{ source: '/dev/urandom' }]],
  'devices[].rng.source': ['The host entropy source.', ['/dev/urandom']],
  'devices[].memory': [
    'Hot-pluggable memory: a DIMM or virtio-mem.',
    [{ model: 'dimm', size: '512MiB' }],
  ],
  'devices[].memory.model': ['dimm (pc-dimm) or virtio-mem.', ['dimm', 'virtio-mem']],
  'devices[].memory.size': ["The device's memory.", ['512MiB']],
  'devices[].shmem': [
    'An ivshmem shared memory region (a framebuffer, say).',
    [{ name: 'portal-framebuffer', size: '32MiB' }],
  ],
  'devices[].shmem.name': ["The region's name (its host file).", ['portal-framebuffer']],
  'devices[].shmem.size': ["The region's size.", ['32MiB']],
  agent: [
    'The portal agent: what the host may ask the guest to do.',
    [{ enabled: true, allow: ['ping', 'heartbeat'] }],
  ],
  'agent.enabled': ['Run the agent in the guest.', [true]],
  'agent.transport': ['How the host reaches the agent.', ['vsock', 'virtio-serial']],
  'agent.port': ['The vsock port the agent listens on.', [1024]],
  'agent.allow': [
    'Methods the host may call; the agent refuses and logs the others. exec beyond a controller is a lint warning.',
    [['ping', 'heartbeat', 'profile']],
  ],
  'agent.paths': [
    'Guest folders the file.* methods and exec working folders are confined to.',
    [['/mnt/multiverse-portal']],
  ],
  'agent.events': ['Events the agent reports to the host.', [['boot', 'shutdown']]],
  provisioning: [
    'What the guest installs and runs: packages and hook scripts.',
    [{ packages: { apt: ['firefox-esr'] } }],
  ],
  'provisioning.packages': [
    'Packages installed on first boot, by package manager.',
    [{ apt: ['curl'] }],
  ],
  'provisioning.packages.apt': ['Debian packages.', [['firefox-esr', 'curl']]],
  'provisioning.packages.apk': ['Alpine packages.', [['nginx']]],
  'provisioning.scripts': [
    'Scripts run at a hook; an item replaces a base item of the same name.',
    [[{ name: 'setup', hook: 'once', file: './setup.sh' }]],
  ],
  'provisioning.scripts[].name': ["The script's name.", ['setup']],
  'provisioning.scripts[].hook': [
    'When it runs: once (first boot), on-boot, before-shutdown, on-disconnect.',
    ['once', 'on-boot'],
  ],
  'provisioning.scripts[].inline': [
    'The script itself (exactly one of inline or file).',
    ['apt-get update\n'],
  ],
  'provisioning.scripts[].file': [
    'Host path of the script (relative paths are from this file).',
    ['./setup.sh'],
  ],
  'provisioning.scripts[].interpreter': [
    'What runs the script in the guest.',
    ['/bin/sh', '/bin/bash'],
  ],
  children: [
    'Portals this one holds (controllers): by formula file or catalog name.',
    [[{ formula: 'service/router/galaxy', name: 'galaxy-1' }]],
  ],
  'children[].formula': [
    'A formula file or catalog name.',
    ['service/router/galaxy', './worker.yaml'],
  ],
  'children[].name': ['Renames the child portal.', ['galaxy-1']],
  'children[].autostart': ['Start the child with its parent.', [true]],
};

/** `serverAddress` -> `Server address`: the title editors show above a key's description. */
export function keyTitle(key: string): string {
  const words = key.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
