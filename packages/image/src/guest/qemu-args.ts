import { InvalidOptionError } from '../errors.js';

/** A host port forwarded into the guest (QEMU user networking `hostfwd`). */
export interface HostForward {
  protocol?: 'tcp' | 'udp';
  /** Host address to listen on; default 127.0.0.1 (never every interface). */
  hostAddress?: string;
  hostPort: number;
  guestPort: number;
}

/** A guest address whose connections QEMU hands to a host chardev (`guestfwd`). */
export interface GuestForward {
  /** Default 10.0.2.100. */
  guestAddress?: string;
  guestPort: number;
  /** A QEMU chardev target: `tcp:127.0.0.1:5640`, `unix:/path`, or `cmd:program args`. */
  target: string;
}

export interface GuestNetwork {
  hostForwards?: readonly HostForward[];
  guestForwards?: readonly GuestForward[];
}

/** A host folder exported with QEMU's own virtio-9p server. */
export interface GuestShare {
  /** The 9p mount tag (`multiverse-portal`). */
  tag: string;
  path: string;
  securityModel?: 'none' | 'mapped-xattr' | 'mapped-file' | 'passthrough';
  readonly?: boolean;
}

export type Accelerator = 'tcg' | 'kvm';

/** The machine a tiny guest runs on: what both `bootGuest` and `qemuArgs` take. */
export interface GuestMachineOptions {
  /** Extra kernel command line after `console=ttyS0 panic=-1`. */
  append?: string;
  /** MiB of guest memory; default 512. */
  memory?: number;
  cpus?: number;
  /** Default `tcg`: KVM guests hang on the build machines (`bootGuest` reads `MULTIVERSE_ACCEL`). */
  accel?: Accelerator;
  /** CPU model; default `max` (all TCG features) or `host` under KVM. */
  cpu?: string;
  /** QEMU user networking (guest 10.0.2.15, host reachable at 10.0.2.2). */
  network?: boolean | GuestNetwork;
  /** virtio-serial port names; each gets a Unix socket. */
  virtioSerialPorts?: readonly string[];
  /** Host folders exported with QEMU's virtio-9p. */
  shares?: readonly GuestShare[];
  extraArgs?: readonly string[];
}

export interface QemuArgsOptions extends GuestMachineOptions {
  kernel: string;
  initramfs: string;
  /** Paths of the sockets QEMU will create. */
  sockets: {
    console: string;
    consoleLog: string;
    qmp: string;
    virtioSerial: Readonly<Record<string, string>>;
  };
}

/** Chardev ids and option values may not contain commas unescaped; QEMU doubles them. */
function qemuValue(value: string): string {
  return value.replace(/,/g, ',,');
}

const PORT_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

function checkPort(value: number, option: string): void {
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new InvalidOptionError(option, `must be a port number 1-65535, got ${value}`);
  }
}

function userNetdev(network: GuestNetwork): string {
  const parts = ['user', 'id=net0'];
  (network.hostForwards ?? []).forEach((forward, i) => {
    checkPort(forward.hostPort, `network.hostForwards[${i}].hostPort`);
    checkPort(forward.guestPort, `network.hostForwards[${i}].guestPort`);
    parts.push(
      `hostfwd=${forward.protocol ?? 'tcp'}:${forward.hostAddress ?? '127.0.0.1'}:${forward.hostPort}-:${forward.guestPort}`,
    );
  });
  (network.guestForwards ?? []).forEach((forward, i) => {
    checkPort(forward.guestPort, `network.guestForwards[${i}].guestPort`);
    parts.push(
      `guestfwd=tcp:${forward.guestAddress ?? '10.0.2.100'}:${forward.guestPort}-${qemuValue(forward.target)}`,
    );
  });
  return parts.join(',');
}

/**
 * The `qemu-system-x86_64` argv for a tiny guest: direct kernel boot, the serial console on a
 * Unix socket that QEMU waits on (so not one byte of boot output is lost), a QMP socket, and
 * the optional devices. Pure: it only builds the list.
 */
export function qemuArgs(options: QemuArgsOptions): string[] {
  const accel = options.accel ?? 'tcg';
  const memory = options.memory ?? 512;
  if (!Number.isInteger(memory) || memory < 64) {
    throw new InvalidOptionError(
      'memory',
      `must be a whole number of MiB, at least 64, got ${memory}`,
    );
  }
  const append = ['console=ttyS0', 'panic=-1', options.append].filter(Boolean).join(' ');
  const { sockets } = options;
  const args = [
    '-nodefaults',
    '-no-user-config',
    '-display',
    'none',
    '-no-reboot',
    '-machine',
    'q35',
    '-accel',
    accel,
    '-cpu',
    options.cpu ?? (accel === 'kvm' ? 'host' : 'max'),
    '-m',
    String(memory),
    '-smp',
    String(options.cpus ?? 1),
    '-kernel',
    options.kernel,
    '-initrd',
    options.initramfs,
    '-append',
    append,
    '-chardev',
    `socket,id=console,path=${qemuValue(sockets.console)},server=on,wait=on,logfile=${qemuValue(sockets.consoleLog)}`,
    '-serial',
    'chardev:console',
    '-qmp',
    `unix:${qemuValue(sockets.qmp)},server=on,wait=off`,
    '-device',
    'virtio-rng-pci',
  ];
  if (options.network) {
    const network = options.network === true ? {} : options.network;
    args.push('-netdev', userNetdev(network), '-device', 'virtio-net-pci,netdev=net0');
  }
  const ports = options.virtioSerialPorts ?? [];
  if (ports.length > 0) {
    args.push('-device', 'virtio-serial-pci,id=virtio-serial0');
    ports.forEach((name, i) => {
      if (!PORT_NAME.test(name)) {
        throw new InvalidOptionError(
          `virtioSerialPorts[${i}]`,
          `"${name}" is not a valid port name`,
        );
      }
      const path = sockets.virtioSerial[name];
      if (!path)
        throw new InvalidOptionError(`virtioSerialPorts[${i}]`, `no socket path for "${name}"`);
      args.push(
        '-chardev',
        `socket,id=vser-${name},path=${qemuValue(path)},server=on,wait=off`,
        '-device',
        `virtserialport,bus=virtio-serial0.0,chardev=vser-${name},name=${name}`,
      );
    });
  }
  (options.shares ?? []).forEach((share, i) => {
    if (!PORT_NAME.test(share.tag)) {
      throw new InvalidOptionError(`shares[${i}].tag`, `"${share.tag}" is not a valid mount tag`);
    }
    const fsdev = [
      'local',
      `id=fs${i}`,
      `path=${qemuValue(share.path)}`,
      `security_model=${share.securityModel ?? 'none'}`,
    ];
    if (share.readonly) fsdev.push('readonly=on');
    args.push(
      '-fsdev',
      fsdev.join(','),
      '-device',
      `virtio-9p-pci,fsdev=fs${i},mount_tag=${share.tag}`,
    );
  });
  args.push(...(options.extraArgs ?? []));
  return args;
}
