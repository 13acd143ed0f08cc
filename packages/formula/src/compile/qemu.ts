import { homedir } from 'node:os';
import { join } from 'node:path';
import type { ResolvedFormula } from '../compose/resolved.js';
import { sizeInMiB } from '../schema/units.js';
import { cpuModel, ovmfFiles, portalInterfaces, runnableBoot } from './portal.js';
import { deviceArgs, optionValue, type QemuSocket } from './qemu-devices.js';
import { expandHome, type HostFolder, hostFolders } from './shares.js';

/** A command to run, as data: the caller decides how (and whether) to run it. */
export interface Command {
  binary: string;
  args: string[];
}

export interface QemuArgsOptions {
  /** Folder for the QMP and console sockets and disk overlays. */
  runDir: string;
  /** Replace the formula's kernel boot files: the host's tiny guest, a freshly built kernel. */
  kernel?: string;
  initrd?: string;
  cmdline?: string;
  /** Override the formula's accelerator and CPU model (CI has no KVM: `tcg` and `max`). */
  accelerator?: 'kvm' | 'tcg';
  cpu?: string;
  /** MACs of a whole set of portals, from `allocateMacs`; default: this portal alone. */
  macs?: ReadonlyMap<string, string>;
  /** Host PCI addresses of PCI devices given by `vendor:device`. */
  pciIds?: Readonly<Record<string, string>>;
  vsockCid?: number;
  /** Used for `~` in share paths and the default portal share. */
  home?: string;
  /** UEFI firmware for `firmware: uefi`; default Debian's OVMF. */
  ovmfCode?: string;
  ovmfVars?: string;
  binary?: string;
}

/** What `toQemuArgs` produces: the command, what to run before it, and where to reach QEMU. */
export interface QemuCommand extends Command {
  /** Run these first, in order: disk overlays, a copy of the UEFI variables. */
  prepare: Command[];
  /** Files to delete once QEMU has exited: the ephemeral overlays. */
  ephemeral: string[];
  /** Daemons that must be running first (virtiofsd per virtiofs share). */
  daemons: Command[];
  qmpSocket: string;
  consoleSocket: string;
  serialSockets: QemuSocket[];
  channelSockets: QemuSocket[];
  hostFolders: HostFolder[];
  vsockCid?: number;
}

const DISK_CONTROLLERS = { virtio: 'virtio-blk-pci', sata: 'ide-hd', scsi: 'scsi-hd' } as const;

/**
 * The `qemu-system-x86_64` argv that runs a portal without libvirt: a QMP socket, the serial
 * console on a socket chardev, disks (ephemeral ones behind a qcow2 overlay), 9P or virtiofs
 * shares, NICs and devices. Pure: nothing is started, created or read.
 */
export function toQemuArgs(formula: ResolvedFormula, options: QemuArgsOptions): QemuCommand {
  const boot = runnableBoot(formula);
  const { runDir } = options;
  const qmpSocket = join(runDir, 'qmp.sock');
  const consoleSocket = join(runDir, 'console.sock');
  const { resources } = formula;
  const accelerator = options.accelerator ?? resources.accelerator;
  const prepare: Command[] = [];
  const ephemeral: string[] = [];
  const daemons: Command[] = [];
  const home = options.home ?? homedir();
  const folders = hostFolders(formula, { home });
  const devices = deviceArgs({
    formula,
    runDir,
    pciIds: options.pciIds ?? {},
    ...(options.vsockCid === undefined ? {} : { vsockCid: options.vsockCid }),
  });
  const memory = sizeInMiB(resources.memory);
  const hotplug = devices.hotplugMiB.reduce((a, b) => a + b, 0);
  const virtiofs = formula.shares.transport === 'virtiofs' && folders.length > 0;

  const secureBoot = boot.type === 'disk' && boot.firmware === 'uefi' && boot.secureBoot;
  const machineOptions = [
    resources.machine,
    `accel=${accelerator}`,
    ...(virtiofs ? ['memory-backend=portal-ram'] : []),
    // Secure Boot firmware keeps its variables in SMM-protected flash.
    ...(secureBoot ? ['smm=on'] : []),
  ];
  const args: string[] = [
    '-name',
    `${formula.name},debug-threads=on`,
    '-machine',
    machineOptions.join(','),
    '-cpu',
    cpuModel(formula, accelerator, options.cpu),
    '-smp',
    String(resources.cpus),
    '-m',
    hotplug > 0
      ? `${memory}M,slots=${devices.hotplugMiB.length},maxmem=${memory + hotplug}M`
      : `${memory}M`,
    '-nodefaults',
    '-no-user-config',
    '-display',
    'none',
    '-qmp',
    `unix:${optionValue(qmpSocket)},server=on,wait=off`,
    '-chardev',
    `socket,id=console,path=${optionValue(consoleSocket)},server=on,wait=off`,
    '-serial',
    'chardev:console',
  ];
  if (virtiofs) args.push('-object', `memory-backend-memfd,id=portal-ram,size=${memory}M,share=on`);

  if (boot.type === 'kernel') {
    args.push('-kernel', expandHome(options.kernel ?? boot.kernel, home));
    const initrd = options.initrd ?? boot.initrd;
    if (initrd !== undefined) args.push('-initrd', expandHome(initrd, home));
    args.push('-append', options.cmdline ?? boot.cmdline);
  } else if (boot.firmware === 'uefi') {
    const firmware = ovmfFiles(boot, options);
    const vars = join(runDir, 'OVMF_VARS.fd');
    prepare.push({ binary: 'cp', args: [firmware.vars, vars] });
    args.push(
      '-drive',
      `if=pflash,format=raw,unit=0,readonly=on,file=${optionValue(firmware.code)}`,
      '-drive',
      `if=pflash,format=raw,unit=1,file=${optionValue(vars)}`,
    );
    if (secureBoot) args.push('-global', 'driver=cfi.pflash01,property=secure,value=on');
  }

  if (formula.disks.some((d) => d.bus === 'scsi')) args.push('-device', 'virtio-scsi-pci,id=scsi0');
  let sataPort = 0;
  for (const disk of formula.disks) {
    const image = expandHome(disk.image, home);
    let file = image;
    let format: string = disk.format;
    if (disk.mode === 'ephemeral') {
      file = join(runDir, `${disk.name}.overlay.qcow2`);
      const create = ['create', '-f', 'qcow2', '-F', disk.format, '-b', image, file];
      if (disk.size !== undefined) create.push(`${sizeInMiB(disk.size)}M`);
      prepare.push({ binary: 'qemu-img', args: create });
      ephemeral.push(file);
      format = 'qcow2';
    }
    const readonly = disk.readonly ? ',readonly=on' : '';
    args.push(
      '-drive',
      `if=none,id=disk-${disk.name},file=${optionValue(file)},format=${format},cache=${disk.cache}${readonly}`,
    );
    const bootindex = boot.type === 'disk' && boot.disk === disk.name ? ',bootindex=1' : '';
    const bus =
      disk.bus === 'sata' ? `,bus=ide.${sataPort++}` : disk.bus === 'scsi' ? ',bus=scsi0.0' : '';
    args.push('-device', `${DISK_CONTROLLERS[disk.bus]},drive=disk-${disk.name}${bus}${bootindex}`);
  }

  const { transport, server } = formula.shares;
  folders.forEach((folder, index) => {
    if (transport === 'virtiofs') {
      const socket = join(runDir, `virtiofs-${folder.tag}.sock`);
      daemons.push({
        binary: 'virtiofsd',
        args: [
          `--socket-path=${socket}`,
          `--shared-dir=${folder.source}`,
          ...(folder.readonly ? ['--readonly'] : []),
        ],
      });
      args.push(
        '-chardev',
        `socket,id=fs${index},path=${optionValue(socket)}`,
        '-device',
        `vhost-user-fs-pci,chardev=fs${index},tag=${folder.tag}`,
      );
    } else if (server === 'qemu') {
      const model = folder.access === 'mapped' ? 'mapped-xattr' : 'passthrough';
      args.push(
        '-fsdev',
        `local,id=fs${index},path=${optionValue(folder.source)},security_model=${model}${folder.readonly ? ',readonly=on' : ''}`,
        '-device',
        `virtio-9p-pci,fsdev=fs${index},mount_tag=${folder.tag}`,
      );
    }
  });

  portalInterfaces(formula, options.macs).forEach(({ network, mac }, index) => {
    const netdev =
      network.type === 'user' ? `user,id=net${index}` : `bridge,id=net${index},br=${network.name}`;
    const model = network.model === 'virtio' ? 'virtio-net-pci' : 'e1000';
    args.push('-netdev', netdev, '-device', `${model},netdev=net${index},mac=${mac}`);
  });

  args.push(...devices.args);
  return {
    binary: options.binary ?? 'qemu-system-x86_64',
    args,
    prepare,
    ephemeral,
    daemons,
    qmpSocket,
    consoleSocket,
    serialSockets: devices.serials,
    channelSockets: devices.channels,
    hostFolders: folders,
    ...(devices.vsockCid === undefined ? {} : { vsockCid: devices.vsockCid }),
  };
}
