import { z } from 'zod';
import { DeviceSchema } from './devices.js';
import { CpuModel, MacAddress, Name, Path, Size } from './primitives.js';

export const API_VERSION = 'multiverse-os.org/formula/v1alpha1';

/**
 * The top segment of a category is what a portal is for: an application portal (a browser, a
 * media player), a service (a router, a web server), a controller (of users or of routers) or a
 * base that other formulas extend. Lower segments narrow it: `application/browser/firefox`.
 */
export const CATEGORY_ROOTS = ['application', 'service', 'controller', 'base'] as const;

export const Category = z
  .string()
  .regex(
    /^(application|service|controller|base)(\/[a-z0-9][a-z0-9-]*)*$/,
    'a category path such as application/browser/firefox (roots: application, service, controller, base)',
  );

export const ResourcesSchema = z.strictObject({
  cpus: z.int().min(1).max(256).default(1),
  memory: Size.default('1GiB'),
  machine: z.enum(['q35', 'pc']).default('q35'),
  accelerator: z.enum(['kvm', 'tcg']).default('kvm'),
  cpu: CpuModel.default('host').meta({
    description: 'QEMU CPU model: host, max, qemu64, a named model...',
  }),
});

export const KernelBootSchema = z.strictObject({
  type: z.literal('kernel'),
  kernel: Path,
  initrd: Path.optional(),
  cmdline: z.string().default('console=ttyS0'),
});

export const DiskBootSchema = z.strictObject({
  type: z.literal('disk'),
  disk: Name.meta({ description: 'The name of the disk (under disks:) to boot from.' }),
  firmware: z.enum(['uefi', 'bios']).default('uefi'),
  secureBoot: z.boolean().default(false),
});

export const BootSchema = z.discriminatedUnion('type', [KernelBootSchema, DiskBootSchema]);

export const DiskSchema = z.strictObject({
  name: Name,
  image: Path.meta({ description: 'The host image: the base of an ephemeral disk, or the disk.' }),
  format: z.enum(['qcow2', 'raw']).default('qcow2'),
  mode: z
    .enum(['ephemeral', 'persistent'])
    .default('ephemeral')
    .meta({ description: 'ephemeral: writes go to a qcow2 overlay thrown away on shutdown.' }),
  readonly: z.boolean().default(false),
  cache: z.enum(['none', 'writeback', 'writethrough', 'directsync', 'unsafe']).default('none'),
  bus: z.enum(['virtio', 'sata', 'scsi']).default('virtio'),
  size: Size.optional().meta({ description: 'Size of the overlay or a new persistent disk.' }),
});

const ShareAccess = z
  .enum(['mapped', 'passthrough'])
  .meta({ description: 'mapped: owners and modes in xattrs; passthrough: host ids as they are.' });

export const PortalShareSchema = z.strictObject({
  enabled: z.boolean().default(true),
  tag: z.string().min(1).max(31).default('multiverse-portal'),
  source: Path.optional().meta({
    description: 'Host folder; default ~/.local/share/multiverse/portals/<name>.',
  }),
  mountPoint: Path.default('/mnt/multiverse-portal'),
  access: ShareAccess.default('mapped'),
  readonly: z.boolean().default(false),
});

export const FolderShareSchema = z.strictObject({
  name: Name,
  source: Path.meta({ description: 'Host folder linked into the portal share.' }),
  target: Path.optional().meta({
    description: 'Guest mount point; default <portal mountPoint>/<name>.',
  }),
  access: ShareAccess.default('mapped'),
  readonly: z.boolean().default(false),
});

export const SharesSchema = z.strictObject({
  transport: z.enum(['9p', 'virtiofs']).default('9p'),
  server: z
    .enum(['qemu', 'multiverse'])
    .default('qemu')
    .meta({ description: "9P server: QEMU's own, or Multiverse's p9 server over TCP." }),
  serverAddress: z
    .string()
    .regex(/^tcp:[^:]+:[0-9]+$/, 'tcp:host:port')
    .default('tcp:10.0.2.2:5640'),
  portal: PortalShareSchema.prefault({}),
  folders: z.array(FolderShareSchema).default([]),
});

export const NetworkSchema = z.strictObject({
  name: Name.meta({ description: 'A named network: universe0, galaxy0, star0, or user.' }),
  type: z
    .enum(['bridge', 'user'])
    .default('bridge')
    .meta({ description: 'bridge: the host bridge named like the network; user: QEMU slirp.' }),
  mac: z.union([z.literal('auto'), MacAddress]).default('auto'),
  model: z.enum(['virtio', 'e1000']).default('virtio'),
});

/** The portal agent's methods a formula may allow the host to call. */
export const AGENT_METHODS = [
  'ping',
  'heartbeat',
  'profile',
  'exec',
  'file.read',
  'file.write',
  'file.stat',
  'file.list',
  'mount',
  'hooks',
  'shutdown',
] as const;

export const AgentSchema = z.strictObject({
  enabled: z.boolean().default(false),
  transport: z.enum(['vsock', 'virtio-serial']).default('vsock'),
  port: z.int().min(1).max(0xffffffff).default(1024),
  allow: z
    .array(z.enum(AGENT_METHODS))
    .default(['ping', 'heartbeat', 'profile'])
    .meta({ description: 'Methods the host may call; the agent refuses and logs the others.' }),
  paths: z.array(z.string().regex(/^\//, 'an absolute guest path')).default([]).meta({
    description: 'Guest folders the file.* methods and exec working folders are confined to.',
  }),
  events: z
    .array(z.enum(['boot', 'shutdown', 'disconnect', 'share-changed', 'network-changed']))
    .default(['boot', 'shutdown']),
});

export const HOOKS = ['once', 'on-boot', 'before-shutdown', 'on-disconnect'] as const;

export const ScriptSchema = z
  .strictObject({
    name: Name,
    hook: z.enum(HOOKS),
    inline: z.string().optional(),
    file: Path.optional(),
    interpreter: z.string().default('/bin/sh'),
  })
  .refine((s) => (s.inline === undefined) !== (s.file === undefined), {
    message: 'a script has exactly one of inline or file',
  })
  // The same rule for editors reading the JSON Schema.
  .meta({ oneOf: [{ required: ['inline'] }, { required: ['file'] }] });

export const ProvisioningSchema = z.strictObject({
  packages: z
    .strictObject({
      apt: z.array(z.string().regex(/^[a-z0-9][a-z0-9+.-]*$/, 'a Debian package name')).default([]),
      apk: z
        .array(z.string().regex(/^[a-z0-9][a-zA-Z0-9+._-]*$/, 'an Alpine package name'))
        .default([]),
    })
    .prefault({}),
  scripts: z.array(ScriptSchema).default([]),
});

export const ChildSchema = z.strictObject({
  formula: z.string().min(1).meta({ description: 'A formula file or catalog name.' }),
  name: Name.optional().meta({ description: 'Renames the child portal.' }),
  autostart: z.boolean().default(true),
});

/**
 * One formula document as written. Every field is optional here because a document may be a
 * base that others extend; `resolveFormula` checks what a runnable portal needs after merging.
 * Defaults are applied once, to the merged document.
 */
export const FormulaDocumentSchema = z
  .strictObject({
    apiVersion: z.literal(API_VERSION),
    kind: z.literal('Portal'),
    name: Name.optional(),
    category: Category.optional(),
    description: z.string().optional(),
    version: z
      .string()
      .regex(/^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$/, 'a semantic version such as 1.2.0')
      .optional(),
    labels: z.record(z.string().regex(/^[a-z0-9./-]+$/, 'a label key'), z.string()).default({}),
    abstract: z
      .boolean()
      .default(false)
      .meta({ description: 'A base only extended by others, never run; not inherited.' }),
    extends: z
      .union([z.string().min(1), z.array(z.string().min(1))])
      .optional()
      .meta({ description: 'Base formulas, by file (./x.yaml) or catalog name (bases/debian).' }),
    resources: ResourcesSchema.prefault({}),
    boot: BootSchema.optional(),
    disks: z.array(DiskSchema).default([]),
    shares: SharesSchema.prefault({}),
    networks: z.array(NetworkSchema).default([]),
    devices: z.array(DeviceSchema).default([]),
    agent: AgentSchema.prefault({}),
    provisioning: ProvisioningSchema.prefault({}),
    children: z.array(ChildSchema).default([]),
  })
  .meta({
    title: 'Multiverse OS portal formula',
    description: 'A portal (virtual machine): what it is, what it boots, what it may touch.',
  });

export type FormulaDocumentInput = z.input<typeof FormulaDocumentSchema>;
export type FormulaDocument = z.output<typeof FormulaDocumentSchema>;
export type Resources = z.output<typeof ResourcesSchema>;
export type Boot = z.output<typeof BootSchema>;
export type KernelBoot = z.output<typeof KernelBootSchema>;
export type DiskBoot = z.output<typeof DiskBootSchema>;
export type Disk = z.output<typeof DiskSchema>;
export type Shares = z.output<typeof SharesSchema>;
export type PortalShare = z.output<typeof PortalShareSchema>;
export type FolderShare = z.output<typeof FolderShareSchema>;
export type Network = z.output<typeof NetworkSchema>;
export type Agent = z.output<typeof AgentSchema>;
export type Script = z.output<typeof ScriptSchema>;
export type Hook = (typeof HOOKS)[number];
export type Provisioning = z.output<typeof ProvisioningSchema>;
export type ChildReference = z.output<typeof ChildSchema>;
