import type { ResolvedFormula } from '../compose/resolved.js';
import { type PortalPlan, type PortalPlanOptions, planPortal } from './plan.js';
import { deviceArgs, optionValue, type QemuSocket } from './qemu-devices.js';
import type { HostFolder } from './shares.js';

/** A command to run, as data: the caller decides how (and whether) to run it. */
export interface Command {
  binary: string;
  args: string[];
}

export interface QemuArgsOptions extends PortalPlanOptions {
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
  return renderQemuArgs(planPortal(formula, options), options.binary);
}

/** The QEMU command of a portal plan (see `toQemuArgs`). Pure. */
export function renderQemuArgs(plan: PortalPlan, binary = 'qemu-system-x86_64'): QemuCommand {
  const { boot, qmpSocket, consoleSocket } = plan;
  const prepare: Command[] = [];
  const ephemeral: string[] = [];
  const daemons: Command[] = [];
  const folders = plan.shares.folders;
  const devices = deviceArgs(plan.devices);
  const memory = plan.memoryMiB;
  const hotplug = devices.hotplugMiB.reduce((a, b) => a + b, 0);
  const virtiofs = plan.shares.device === 'virtiofs' && folders.length > 0;

  const secureBoot = boot.type === 'uefi' && boot.secureBoot;
  const machineOptions = [
    plan.machine,
    `accel=${plan.accelerator}`,
    ...(virtiofs ? ['memory-backend=portal-ram'] : []),
    // Secure Boot firmware keeps its variables in SMM-protected flash.
    ...(secureBoot ? ['smm=on'] : []),
  ];
  const args: string[] = [
    '-name',
    `${plan.name},debug-threads=on`,
    '-machine',
    machineOptions.join(','),
    '-cpu',
    plan.cpu,
    '-smp',
    String(plan.vcpus),
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
    args.push('-kernel', boot.kernel);
    if (boot.initrd !== undefined) args.push('-initrd', boot.initrd);
    args.push('-append', boot.cmdline);
  } else if (boot.type === 'uefi') {
    prepare.push({ binary: 'cp', args: [boot.varsTemplate, boot.vars] });
    args.push(
      '-drive',
      `if=pflash,format=raw,unit=0,readonly=on,file=${optionValue(boot.code)}`,
      '-drive',
      `if=pflash,format=raw,unit=1,file=${optionValue(boot.vars)}`,
    );
    if (secureBoot) args.push('-global', 'driver=cfi.pflash01,property=secure,value=on');
  }

  if (plan.disks.some((d) => d.bus === 'scsi')) args.push('-device', 'virtio-scsi-pci,id=scsi0');
  let sataPort = 0;
  for (const disk of plan.disks) {
    let file = disk.image;
    let format: string = disk.format;
    if (disk.ephemeral !== undefined) {
      file = disk.ephemeral.overlay;
      const create = ['create', '-f', 'qcow2', '-F', disk.format, '-b', disk.image, file];
      if (disk.ephemeral.sizeMiB !== undefined) create.push(`${disk.ephemeral.sizeMiB}M`);
      prepare.push({ binary: 'qemu-img', args: create });
      ephemeral.push(file);
      format = 'qcow2';
    }
    const readonly = disk.readonly ? ',readonly=on' : '';
    args.push(
      '-drive',
      `if=none,id=disk-${disk.name},file=${optionValue(file)},format=${format},cache=${disk.cache}${readonly}`,
    );
    const bootindex = disk.boot ? ',bootindex=1' : '';
    const bus =
      disk.bus === 'sata' ? `,bus=ide.${sataPort++}` : disk.bus === 'scsi' ? ',bus=scsi0.0' : '';
    args.push('-device', `${DISK_CONTROLLERS[disk.bus]},drive=disk-${disk.name}${bus}${bootindex}`);
  }

  const shareDevice = plan.shares.device;
  folders.forEach((folder, index) => {
    if (shareDevice === 'virtiofs') {
      const socket = plan.shares.virtiofsSockets[index] ?? '';
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
    } else if (shareDevice === 'virtio-9p') {
      const model = folder.access === 'mapped' ? 'mapped-xattr' : 'passthrough';
      args.push(
        '-fsdev',
        `local,id=fs${index},path=${optionValue(folder.source)},security_model=${model}${folder.readonly ? ',readonly=on' : ''}`,
        '-device',
        `virtio-9p-pci,fsdev=fs${index},mount_tag=${folder.tag}`,
      );
    }
  });

  plan.nics.forEach((nic, index) => {
    const netdev =
      nic.type === 'user' ? `user,id=net${index}` : `bridge,id=net${index},br=${nic.network}`;
    const model = nic.model === 'virtio' ? 'virtio-net-pci' : 'e1000';
    args.push('-netdev', netdev, '-device', `${model},netdev=net${index},mac=${nic.mac}`);
  });

  args.push(...devices.args);
  return {
    binary,
    args,
    prepare,
    ephemeral,
    daemons,
    qmpSocket,
    consoleSocket,
    serialSockets: devices.serials,
    channelSockets: devices.channels,
    hostFolders: folders,
    ...(plan.vsockCid === undefined ? {} : { vsockCid: plan.vsockCid }),
  };
}
