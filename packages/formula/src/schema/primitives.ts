import { z } from 'zod';
import { MAX_SIZE_BYTES, parseSize, SIZE_PATTERN } from './units.js';

/** Names of portals, disks, shares, networks and scripts: what a hostname or a file allows. */
export const Name = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'a lowercase name of letters, digits, ".", "_", "-"')
  .meta({ description: 'Lowercase letters, digits, ".", "_" and "-", at most 63 characters.' });

/** `512MiB`, `2G`, `1.5GiB`, or a number of mebibytes. */
export const Size = z
  .union([
    z.number().positive(),
    z.string().regex(SIZE_PATTERN, 'a size such as 512MiB, 2G or 1.5GiB'),
  ])
  // `0MiB` matches the pattern and 1e300 is a positive number; neither is a size to compile.
  .refine(
    (size) => {
      const bytes = parseSize(size);
      // Not a size at all is the union's own issue.
      return bytes === undefined || (bytes > 0 && bytes <= MAX_SIZE_BYTES);
    },
    { message: 'a size above 0 and at most 1024TiB' },
  )
  .meta({ description: 'A size: 512MiB, 2G, 1.5GiB (binary), 1GB (decimal), or a number of MiB.' });

/** A host or guest path; relative host paths resolve against the formula file's folder. */
export const Path = z.string().min(1);

/**
 * The seeds' MAC scheme: `00:00:10:X:X:X`, or any unicast MAC an author fixes. A multicast
 * MAC (low bit of the first octet set, `01:...`) cannot be a NIC's: libvirt refuses it.
 */
export const MacAddress = z
  .string()
  .regex(
    /^[0-9a-fA-F][02468aceACE](:[0-9a-fA-F]{2}){5}$/,
    'a unicast MAC address such as 00:00:10:ab:cd:ef (the first octet even)',
  );

/** A QEMU CPU model name (`host`, `max`, `Skylake-Client-v4`): one word libvirt and QEMU read alike. */
export const CpuModel = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'a CPU model name such as host, max or qemu64');

/** Four hex digits: a PCI or USB vendor or product id. */
export const HexId = z.string().regex(/^(0x)?[0-9a-fA-F]{4}$/, 'four hex digits such as 8086');

/** A PCI address `domain:bus:slot.function`, the domain being optional: `0000:01:00.0`. */
export const PciAddress = z
  .string()
  .regex(
    /^([0-9a-fA-F]{4}:)?[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]$/,
    'a PCI address such as 0000:01:00.0',
  );

/** `vendor:device` as lspci -n prints it: `10de:1b80`. */
export const PciId = z
  .string()
  .regex(/^[0-9a-fA-F]{4}:[0-9a-fA-F]{4}$/, 'vendor:device such as 10de:1b80');
