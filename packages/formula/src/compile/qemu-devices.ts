import type { ResolvedFormula } from '../compose/resolved.js';
import { autoVsockCid } from '../network/mac.js';
import { sizeInMiB } from '../schema/units.js';
import { pciHostAddress, portalDevices } from './portal.js';

/** A unix socket QEMU listens on, by what it is for. */
export interface QemuSocket {
  name: string;
  path: string;
}

export interface DeviceArgsContext {
  formula: ResolvedFormula;
  runDir: string;
  /** vendor:device -> host PCI address, for PCI devices given by id. */
  pciIds: Readonly<Record<string, string>>;
  vsockCid?: number;
}

export interface DeviceArgs {
  args: string[];
  serials: QemuSocket[];
  channels: QemuSocket[];
  /** Sizes of memory devices, in MiB: `-m` needs slots and a maximum for them. */
  hotplugMiB: number[];
  vsockCid?: number;
}

/**
 * A value inside a QEMU option list (`file=...,format=...`): QEMU reads `,,` as one comma, so
 * a path holding a comma cannot end the value early and add options of its own.
 */
export function optionValue(value: string): string {
  return value.replaceAll(',', ',,');
}

function hex(id: string): string {
  return `0x${id.replace(/^0x/i, '').toLowerCase()}`;
}

/** QEMU argv for `devices:` (and what the agent implies: a vsock device or a channel). */
export function deviceArgs(context: DeviceArgsContext): DeviceArgs {
  const { formula, runDir } = context;
  const out: DeviceArgs = { args: [], serials: [], channels: [], hotplugMiB: [] };
  let usbController = false;
  let serialController = false;
  portalDevices(formula).forEach((device, index) => {
    const id = `dev${index}`;
    if (device.pci) {
      const host = pciHostAddress(formula, device.pci, index, context.pciIds);
      out.args.push('-device', `vfio-pci,id=${id},host=${host},rombar=${device.pci.rom ? 1 : 0}`);
    } else if (device.usb) {
      if (!usbController) out.args.push('-device', 'qemu-xhci,id=usb');
      usbController = true;
      out.args.push(
        '-device',
        `usb-host,id=${id},bus=usb.0,vendorid=${hex(device.usb.vendor)},productid=${hex(device.usb.product)}`,
      );
    } else if (device.vsock) {
      const cid =
        context.vsockCid ??
        (device.vsock.cid === 'auto' ? autoVsockCid(formula.name) : device.vsock.cid);
      out.vsockCid = cid;
      out.args.push('-device', `vhost-vsock-pci,id=${id},guest-cid=${cid}`);
    } else if (device.serial) {
      const path = `${runDir}/serial-${device.serial.name}.sock`;
      out.serials.push({ name: device.serial.name, path });
      out.args.push(
        '-chardev',
        `socket,id=serial-${device.serial.name},path=${optionValue(path)},server=on,wait=off`,
        '-device',
        `isa-serial,id=${id},chardev=serial-${device.serial.name}`,
      );
    } else if (device.channel) {
      if (!serialController) out.args.push('-device', 'virtio-serial-pci,id=virtio-serial0');
      serialController = true;
      const path = `${runDir}/channel-${device.channel.name}.sock`;
      out.channels.push({ name: device.channel.name, path });
      out.args.push(
        '-chardev',
        `socket,id=channel${index},path=${optionValue(path)},server=on,wait=off`,
        '-device',
        `virtserialport,id=${id},bus=virtio-serial0.0,chardev=channel${index},name=${device.channel.name}`,
      );
    } else if (device.rng) {
      out.args.push(
        '-object',
        `rng-random,id=rng${index},filename=${device.rng.source}`,
        '-device',
        `virtio-rng-pci,id=${id},rng=rng${index}`,
      );
    } else if (device.memory) {
      const size = sizeInMiB(device.memory.size);
      out.hotplugMiB.push(size);
      out.args.push('-object', `memory-backend-ram,id=mem${index},size=${size}M`);
      out.args.push(
        '-device',
        device.memory.model === 'dimm'
          ? `pc-dimm,id=${id},memdev=mem${index}`
          : `virtio-mem-pci,id=${id},memdev=mem${index},requested-size=${size}M`,
      );
    } else if (device.shmem) {
      const size = sizeInMiB(device.shmem.size);
      out.args.push(
        '-object',
        `memory-backend-file,id=shmem${index},size=${size}M,mem-path=/dev/shm/${device.shmem.name},share=on`,
        '-device',
        `ivshmem-plain,id=${id},memdev=shmem${index}`,
      );
    }
  });
  return out;
}
