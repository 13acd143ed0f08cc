import { z } from 'zod';
import { HexId, Name, PciAddress, PciId, Size } from './primitives.js';

export const PciDeviceSchema = z
  .strictObject({
    address: PciAddress.optional(),
    id: PciId.optional().meta({ description: 'vendor:device; the host must have exactly one.' }),
    rom: z.boolean().default(true),
  })
  .refine((d) => (d.address === undefined) !== (d.id === undefined), {
    message: 'a PCI device has exactly one of address or id',
  });

export const UsbDeviceSchema = z.strictObject({
  vendor: HexId,
  product: HexId,
});

export const VsockDeviceSchema = z.strictObject({
  cid: z
    .union([z.literal('auto'), z.int().min(3).max(0xfffffffe)])
    .default('auto')
    .meta({ description: 'Guest context id; auto picks one from the portal name.' }),
});

export const SerialDeviceSchema = z.strictObject({
  name: Name,
});

export const ChannelDeviceSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[a-zA-Z0-9][a-zA-Z0-9._-]*$/, 'a port name such as org.multiverse-os.agent.0'),
});

export const RngDeviceSchema = z.strictObject({
  source: z.enum(['/dev/urandom', '/dev/random']).default('/dev/urandom'),
});

export const MemoryDeviceSchema = z.strictObject({
  model: z.enum(['dimm', 'virtio-mem']).default('dimm'),
  size: Size,
});

export const ShmemDeviceSchema = z.strictObject({
  name: Name,
  size: Size.default('4MiB'),
});

const DEVICE_KINDS = [
  'pci',
  'usb',
  'vsock',
  'serial',
  'channel',
  'rng',
  'memory',
  'shmem',
] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

/**
 * A device entry holds exactly one kind as its only key (`- pci: {address: ...}`), so errors
 * point at `devices[2].pci.address` and a misspelt kind gets a "did you mean".
 */
export const DeviceSchema = z
  .strictObject({
    pci: PciDeviceSchema.optional(),
    usb: UsbDeviceSchema.optional(),
    vsock: VsockDeviceSchema.optional(),
    serial: SerialDeviceSchema.optional(),
    channel: ChannelDeviceSchema.optional(),
    rng: RngDeviceSchema.optional(),
    memory: MemoryDeviceSchema.optional(),
    shmem: ShmemDeviceSchema.optional(),
  })
  .refine((d) => DEVICE_KINDS.filter((k) => d[k] !== undefined).length === 1, {
    message: `a device entry has exactly one of ${DEVICE_KINDS.join(', ')}`,
  })
  // The same rule for editors reading the JSON Schema.
  .meta({ minProperties: 1, maxProperties: 1 });

export type Device = z.output<typeof DeviceSchema>;
export type PciDevice = z.output<typeof PciDeviceSchema>;
export type UsbDevice = z.output<typeof UsbDeviceSchema>;
export type MemoryDevice = z.output<typeof MemoryDeviceSchema>;
export type ShmemDevice = z.output<typeof ShmemDeviceSchema>;
