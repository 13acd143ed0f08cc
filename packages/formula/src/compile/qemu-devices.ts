import type { PlannedDevice, PlannedSocket } from './plan.js';

/** A unix socket QEMU listens on, by what it is for. */
export type QemuSocket = PlannedSocket;

export interface DeviceArgs {
  args: string[];
  serials: QemuSocket[];
  channels: QemuSocket[];
  /** Sizes of memory devices, in MiB: `-m` needs slots and a maximum for them. */
  hotplugMiB: number[];
}

/**
 * A value inside a QEMU option list (`file=...,format=...`): QEMU reads `,,` as one comma, so
 * a path holding a comma cannot end the value early and add options of its own.
 */
export function optionValue(value: string): string {
  return value.replaceAll(',', ',,');
}

/** QEMU argv for the planned devices (`devices:` and what the agent implies). */
export function deviceArgs(devices: readonly PlannedDevice[]): DeviceArgs {
  const out: DeviceArgs = { args: [], serials: [], channels: [], hotplugMiB: [] };
  let usbController = false;
  let serialController = false;
  for (const device of devices) {
    const { index } = device;
    const id = `dev${index}`;
    switch (device.kind) {
      case 'pci':
        out.args.push(
          '-device',
          `vfio-pci,id=${id},host=${device.host},rombar=${device.rom ? 1 : 0}`,
        );
        break;
      case 'usb':
        if (!usbController) out.args.push('-device', 'qemu-xhci,id=usb');
        usbController = true;
        out.args.push(
          '-device',
          `usb-host,id=${id},bus=usb.0,vendorid=0x${device.vendor},productid=0x${device.product}`,
        );
        break;
      case 'vsock':
        out.args.push('-device', `vhost-vsock-pci,id=${id},guest-cid=${device.cid}`);
        break;
      case 'serial':
        out.serials.push({ name: device.name, path: device.path });
        out.args.push(
          '-chardev',
          `socket,id=serial-${device.name},path=${optionValue(device.path)},server=on,wait=off`,
          '-device',
          `isa-serial,id=${id},chardev=serial-${device.name}`,
        );
        break;
      case 'channel':
        if (!serialController) out.args.push('-device', 'virtio-serial-pci,id=virtio-serial0');
        serialController = true;
        out.channels.push({ name: device.name, path: device.path });
        out.args.push(
          '-chardev',
          `socket,id=channel${index},path=${optionValue(device.path)},server=on,wait=off`,
          '-device',
          `virtserialport,id=${id},bus=virtio-serial0.0,chardev=channel${index},name=${device.name}`,
        );
        break;
      case 'rng':
        out.args.push(
          '-object',
          `rng-random,id=rng${index},filename=${device.source}`,
          '-device',
          `virtio-rng-pci,id=${id},rng=rng${index}`,
        );
        break;
      case 'memory':
        out.hotplugMiB.push(device.sizeMiB);
        out.args.push('-object', `memory-backend-ram,id=mem${index},size=${device.sizeMiB}M`);
        out.args.push(
          '-device',
          device.model === 'dimm'
            ? `pc-dimm,id=${id},memdev=mem${index}`
            : `virtio-mem-pci,id=${id},memdev=mem${index},requested-size=${device.sizeMiB}M`,
        );
        break;
      case 'shmem':
        out.args.push(
          '-object',
          `memory-backend-file,id=shmem${index},size=${device.sizeMiB}M,mem-path=/dev/shm/${device.name},share=on`,
          '-device',
          `ivshmem-plain,id=${id},memdev=shmem${index}`,
        );
        break;
    }
  }
  return out;
}
