import { parseDomain, type XmlElement } from '@multiverse-os/libvirt-xml';
import { describe, expect, it } from 'vitest';
import {
  type PortalPlan,
  planPortal,
  type QemuCommand,
  renderLibvirtDomain,
  renderQemuArgs,
  resolveFormulaText,
} from '../../src/index.js';

const HEAD = `apiVersion: multiverse-os.org/formula/v1alpha1
kind: Portal
name: demo
category: application/demo
`;

function formula(body: string) {
  return resolveFormulaText(`${HEAD}${body}`, '/formulas/demo.yaml');
}

/** Everything the two targets must agree on, in one shape each renderer's output is read into. */
interface Rendered {
  memoryMiB: number;
  maxMemoryMiB: number;
  vcpus: number;
  machine: string;
  boot: Record<string, string | boolean>;
  /** In formula order: the guest target follows from the bus and the order on that bus. */
  disks: {
    target: string;
    image: string;
    format: string;
    cache: string;
    readonly: boolean;
    boot: boolean;
    ephemeral: boolean;
  }[];
  nics: { mac: string; model: string; network: string }[];
  shares: { tag: string; source: string; readonly: boolean; driver: string }[];
  console: string;
  serials: { path: string; port: number }[];
  channels: { name: string; path: string }[];
  vsockCid: number | undefined;
  pci: string[];
  usb: string[];
  memoryDevicesMiB: number[];
  shmem: { name: string; sizeMiB: number }[];
  rng: string[];
}

// --- Reading the libvirt domain ---------------------------------------------------------------

function kids(element: XmlElement | undefined, name: string): XmlElement[] {
  return (element?.children ?? []).filter(
    (n): n is XmlElement => n.kind === 'element' && n.name === name,
  );
}

function kid(element: XmlElement | undefined, name: string): XmlElement | undefined {
  return kids(element, name)[0];
}

function text(element: XmlElement | undefined): string {
  return (element?.children ?? []).map((n) => (n.kind === 'text' ? n.raw : '')).join('');
}

function attr(element: XmlElement | undefined, name: string): string {
  return element?.attrs[name] ?? '';
}

function fromLibvirt(xml: string): Rendered {
  const root = parseDomain(xml).element;
  const devices = kid(root, 'devices');
  const os = kid(root, 'os');
  const kernel = kid(os, 'kernel');
  const loader = kid(os, 'loader');
  const boot: Rendered['boot'] = kernel
    ? { kernel: text(kernel), initrd: text(kid(os, 'initrd')), cmdline: text(kid(os, 'cmdline')) }
    : loader
      ? {
          code: text(loader),
          vars: text(kid(os, 'nvram')),
          varsTemplate: attr(kid(os, 'nvram'), 'template'),
          secureBoot: attr(loader, 'secure') === 'yes',
        }
      : {};
  const memoryMiB = Number(text(kid(root, 'memory')));
  const maxMemory = kid(root, 'maxMemory');
  const serials = kids(devices, 'serial').map((s) => ({
    path: attr(kid(s, 'source'), 'path'),
    port: Number(attr(kid(s, 'target'), 'port')),
  }));
  const usbId = (e: XmlElement | undefined) => attr(e, 'id').replace(/^0x/, '');
  return {
    memoryMiB,
    maxMemoryMiB: maxMemory ? Number(text(maxMemory)) : memoryMiB,
    vcpus: Number(text(kid(root, 'vcpu'))),
    machine: attr(kid(os, 'type'), 'machine'),
    boot,
    disks: kids(devices, 'disk').map((d) => ({
      target: attr(kid(d, 'target'), 'dev'),
      image: attr(kid(d, 'source'), 'file'),
      format: attr(kid(d, 'driver'), 'type'),
      cache: attr(kid(d, 'driver'), 'cache'),
      readonly: kid(d, 'readonly') !== undefined,
      boot: attr(kid(d, 'boot'), 'order') === '1',
      ephemeral: kid(d, 'transient') !== undefined,
    })),
    nics: kids(devices, 'interface').map((i) => ({
      mac: attr(kid(i, 'mac'), 'address'),
      model: attr(kid(i, 'model'), 'type'),
      network: attr(i, 'type') === 'user' ? 'user' : attr(kid(i, 'source'), 'network'),
    })),
    shares: kids(devices, 'filesystem').map((f) => ({
      tag: attr(kid(f, 'target'), 'dir'),
      source: attr(kid(f, 'source'), 'dir'),
      readonly: kid(f, 'readonly') !== undefined,
      driver: attr(kid(f, 'driver'), 'type') === 'virtiofs' ? 'virtiofs' : '9p',
    })),
    console: serials.find((s) => s.port === 0)?.path ?? '',
    serials: serials.filter((s) => s.port !== 0),
    channels: kids(devices, 'channel').map((c) => ({
      name: attr(kid(c, 'target'), 'name'),
      path: attr(kid(c, 'source'), 'path'),
    })),
    vsockCid: kids(devices, 'vsock').map((v) => Number(attr(kid(v, 'cid'), 'address')))[0],
    pci: kids(devices, 'hostdev')
      .filter((h) => attr(h, 'type') === 'pci')
      .map((h) => {
        const a = kid(kid(h, 'source'), 'address');
        const hex = (name: string, width: number) =>
          attr(a, name).replace(/^0x/, '').padStart(width, '0');
        return `${hex('domain', 4)}:${hex('bus', 2)}:${hex('slot', 2)}.${hex('function', 1)}`;
      }),
    usb: kids(devices, 'hostdev')
      .filter((h) => attr(h, 'type') === 'usb')
      .map(
        (h) =>
          `${usbId(kid(kid(h, 'source'), 'vendor'))}:${usbId(kid(kid(h, 'source'), 'product'))}`,
      ),
    memoryDevicesMiB: kids(devices, 'memory').map((m) =>
      Number(text(kid(kid(m, 'target'), 'size'))),
    ),
    shmem: kids(devices, 'shmem').map((s) => ({
      name: attr(s, 'name'),
      sizeMiB: Number(text(kid(s, 'size'))),
    })),
    rng: kids(devices, 'rng').map((r) => text(kid(r, 'backend'))),
  };
}

// --- Reading the QEMU command -----------------------------------------------------------------

/** The value that follows `flag` in argv, for each time the flag appears. */
function flagValues(args: readonly string[], flag: string): string[] {
  return args.flatMap((arg, i) => (arg === flag ? [args[i + 1] ?? ''] : []));
}

/** `a=1,b=2` (with QEMU's `,,` for a comma in a value) as a map; a bare first word is `''`. */
function options(value: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of value.split(/,(?!,)/).map((p) => p.replaceAll(',,', ','))) {
    const eq = part.indexOf('=');
    out.set(eq < 0 ? '' : part.slice(0, eq), eq < 0 ? part : part.slice(eq + 1));
  }
  return out;
}

function fromQemu(command: QemuCommand): Rendered {
  const { args } = command;
  const devices = flagValues(args, '-device').map(options);
  const drives = new Map(
    flagValues(args, '-drive')
      .map(options)
      .map((o) => [o.get('id') ?? '', o] as const),
  );
  const memory = options(flagValues(args, '-m')[0] ?? '');
  const memoryMiB = Number.parseInt(memory.get('') ?? '', 10);
  const kernel = flagValues(args, '-kernel')[0];
  const pflash = flagValues(args, '-drive')
    .map(options)
    .filter((o) => o.get('if') === 'pflash');
  const copy = command.prepare.find((c) => c.binary === 'cp');
  const boot: Rendered['boot'] =
    kernel !== undefined
      ? {
          kernel,
          initrd: flagValues(args, '-initrd')[0] ?? '',
          cmdline: flagValues(args, '-append')[0] ?? '',
        }
      : pflash.length > 0
        ? {
            code: pflash[0]?.get('file') ?? '',
            vars: pflash[1]?.get('file') ?? '',
            varsTemplate: copy?.args[0] ?? '',
            secureBoot: args.includes('driver=cfi.pflash01,property=secure,value=on'),
          }
        : {};
  const counters = { vd: 0, sd: 0 };
  const disks = devices
    .filter((d) => ['virtio-blk-pci', 'ide-hd', 'scsi-hd'].includes(d.get('') ?? ''))
    .map((d) => {
      const drive = drives.get(d.get('drive') ?? '');
      const prefix = d.get('') === 'virtio-blk-pci' ? 'vd' : 'sd';
      const file = drive?.get('file') ?? '';
      // An ephemeral disk runs on an overlay; the image is its backing file.
      const overlay = command.prepare.find((c) => c.binary === 'qemu-img' && c.args.includes(file));
      const backing = overlay?.args[overlay.args.indexOf('-b') + 1];
      return {
        target: `${prefix}${String.fromCharCode(97 + counters[prefix]++)}`,
        image: backing ?? file,
        format: overlay
          ? (overlay.args[overlay.args.indexOf('-F') + 1] ?? '')
          : (drive?.get('format') ?? ''),
        cache: drive?.get('cache') ?? '',
        readonly: drive?.get('readonly') === 'on',
        boot: d.get('bootindex') === '1',
        ephemeral: overlay !== undefined,
      };
    });
  const netdevs = new Map(
    flagValues(args, '-netdev')
      .map(options)
      .map((o) => [o.get('id') ?? '', o] as const),
  );
  const fsdevs = new Map(
    flagValues(args, '-fsdev')
      .map(options)
      .map((o) => [o.get('id') ?? '', o] as const),
  );
  const serialDevices = devices.filter((d) => d.get('') === 'isa-serial');
  return {
    memoryMiB,
    maxMemoryMiB: memory.has('maxmem')
      ? Number.parseInt(memory.get('maxmem') ?? '', 10)
      : memoryMiB,
    vcpus: Number(flagValues(args, '-smp')[0]),
    machine: options(flagValues(args, '-machine')[0] ?? '').get('') ?? '',
    boot,
    disks,
    nics: devices
      .filter((d) => ['virtio-net-pci', 'e1000'].includes(d.get('') ?? ''))
      .map((d) => {
        const netdev = netdevs.get(d.get('netdev') ?? '');
        return {
          mac: d.get('mac') ?? '',
          model: d.get('') === 'e1000' ? 'e1000' : 'virtio',
          network: netdev?.get('') === 'user' ? 'user' : (netdev?.get('br') ?? ''),
        };
      }),
    shares: devices.flatMap((d) => {
      if (d.get('') === 'virtio-9p-pci') {
        const fsdev = fsdevs.get(d.get('fsdev') ?? '');
        return [
          {
            tag: d.get('mount_tag') ?? '',
            source: fsdev?.get('path') ?? '',
            readonly: fsdev?.get('readonly') === 'on',
            driver: '9p',
          },
        ];
      }
      if (d.get('') === 'vhost-user-fs-pci') {
        const tag = d.get('tag') ?? '';
        const daemon = command.daemons.find((c) => c.args.some((a) => a.endsWith(`-${tag}.sock`)));
        const shared = daemon?.args.find((a) => a.startsWith('--shared-dir='));
        return [
          {
            tag,
            source: shared?.slice('--shared-dir='.length) ?? '',
            readonly: daemon?.args.includes('--readonly') ?? false,
            driver: 'virtiofs',
          },
        ];
      }
      return [];
    }),
    console: command.consoleSocket,
    // Extra serials take ports 1, 2... after the console, in argv order.
    serials: command.serialSockets.map((s, i) => {
      expect(serialDevices[i]?.get('chardev')).toBe(`serial-${s.name}`);
      return { path: s.path, port: i + 1 };
    }),
    channels: devices
      .filter((d) => d.get('') === 'virtserialport')
      .map((d) => ({
        name: d.get('name') ?? '',
        path: command.channelSockets.find((c) => c.name === d.get('name'))?.path ?? '',
      })),
    vsockCid: devices
      .filter((d) => d.get('') === 'vhost-vsock-pci')
      .map((d) => Number(d.get('guest-cid')))[0],
    pci: devices.filter((d) => d.get('') === 'vfio-pci').map((d) => d.get('host') ?? ''),
    usb: devices
      .filter((d) => d.get('') === 'usb-host')
      .map((d) => `${d.get('vendorid')?.slice(2)}:${d.get('productid')?.slice(2)}`),
    memoryDevicesMiB: flagValues(args, '-object')
      .map(options)
      .filter((o) => o.get('') === 'memory-backend-ram')
      .map((o) => Number.parseInt(o.get('size') ?? '', 10)),
    shmem: flagValues(args, '-object')
      .map(options)
      .filter((o) => o.get('') === 'memory-backend-file')
      .map((o) => ({
        name: (o.get('mem-path') ?? '').replace('/dev/shm/', ''),
        sizeMiB: Number.parseInt(o.get('size') ?? '', 10),
      })),
    rng: flagValues(args, '-object')
      .map(options)
      .filter((o) => o.get('') === 'rng-random')
      .map((o) => o.get('filename') ?? ''),
  };
}

// --- The plan as both renderers should show it ------------------------------------------------

function fromPlan(plan: PortalPlan): Rendered {
  const { boot } = plan;
  const memoryDevicesMiB = plan.devices.flatMap((d) => (d.kind === 'memory' ? [d.sizeMiB] : []));
  return {
    memoryMiB: plan.memoryMiB,
    maxMemoryMiB: plan.memoryMiB + memoryDevicesMiB.reduce((a, b) => a + b, 0),
    vcpus: plan.vcpus,
    machine: plan.machine,
    boot:
      boot.type === 'kernel'
        ? { kernel: boot.kernel, initrd: boot.initrd ?? '', cmdline: boot.cmdline }
        : boot.type === 'uefi'
          ? {
              code: boot.code,
              vars: boot.vars,
              varsTemplate: boot.varsTemplate,
              secureBoot: boot.secureBoot,
            }
          : {},
    disks: plan.disks.map((d) => ({
      target: d.target,
      image: d.image,
      format: d.format,
      cache: d.cache,
      readonly: d.readonly,
      boot: d.boot,
      ephemeral: d.ephemeral !== undefined,
    })),
    nics: plan.nics.map((n) => ({
      mac: n.mac,
      model: n.model,
      network: n.type === 'user' ? 'user' : n.network,
    })),
    shares:
      plan.shares.device === 'none'
        ? []
        : plan.shares.folders.map((f) => ({
            tag: f.tag,
            source: f.source,
            readonly: f.readonly,
            driver: plan.shares.device === 'virtiofs' ? 'virtiofs' : '9p',
          })),
    console: plan.consoleSocket,
    serials: plan.devices.flatMap((d) =>
      d.kind === 'serial' ? [{ path: d.path, port: d.port }] : [],
    ),
    channels: plan.devices.flatMap((d) =>
      d.kind === 'channel' ? [{ name: d.name, path: d.path }] : [],
    ),
    vsockCid: plan.vsockCid,
    pci: plan.devices.flatMap((d) => (d.kind === 'pci' ? [d.host] : [])),
    usb: plan.devices.flatMap((d) => (d.kind === 'usb' ? [`${d.vendor}:${d.product}`] : [])),
    memoryDevicesMiB,
    shmem: plan.devices.flatMap((d) =>
      d.kind === 'shmem' ? [{ name: d.name, sizeMiB: d.sizeMiB }] : [],
    ),
    rng: plan.devices.flatMap((d) => (d.kind === 'rng' ? [d.source] : [])),
  };
}

const UEFI_PORTAL = `resources: { cpus: 3, memory: 1GiB }
boot: { type: disk, disk: root, firmware: uefi, secureBoot: true }
disks:
  - { name: root, image: ~/img/root.qcow2 }
  - { name: data, image: /img/data.raw, format: raw, mode: persistent, bus: scsi, readonly: true }
  - { name: logs, image: /img/logs.qcow2, mode: persistent, bus: sata, cache: writeback }
  - { name: scratch, image: /img/scratch.qcow2, mode: persistent }
networks:
  - { name: star0 }
  - { name: lan1, mac: "00:00:10:aa:bb:cc", model: e1000 }
  - { name: user, type: user }
shares:
  portal: { source: /srv/demo }
  folders: [{ name: music, source: ~/Music, readonly: true, access: passthrough }]
devices:
  - pci: { address: "01:00.0", rom: false }
  - pci: { id: "10de:1b80" }
  - usb: { vendor: "2C97", product: "0x0001" }
  - serial: { name: debug }
  - serial: { name: trace }
  - rng: {}
  - memory: { size: 512MiB }
  - memory: { size: 256MiB }
  - shmem: { name: fb, size: 16MiB }
agent: { enabled: true }
`;

const KERNEL_PORTAL = `resources: { cpus: 1, memory: 512MiB }
boot: { type: kernel, kernel: ~/vmlinuz, initrd: ~/initrd.img, cmdline: console=ttyS0 }
shares: { transport: virtiofs, folders: [{ name: code, source: /src, readonly: true }] }
devices:
  - channel: { name: org.test.0 }
  - vsock: { cid: 42 }
agent: { enabled: true, transport: virtio-serial }
`;

const PLAN_OPTIONS = {
  runDir: '/run/multiverse/demo',
  home: '/home/u',
  pciIds: { '10de:1b80': '0000:02:00.0' },
};

describe('planPortal and the two renderers', () => {
  it.each([
    ['a UEFI disk portal with every disk bus, NIC kind, 9P shares and host devices', UEFI_PORTAL],
    [
      'a kernel portal with virtiofs, a channel, the agent channel and a fixed vsock',
      KERNEL_PORTAL,
    ],
  ])('renders one plan of %s to libvirt and QEMU that agree on every device', (_, body) => {
    const plan = planPortal(formula(body), PLAN_OPTIONS);
    const expected = fromPlan(plan);
    expect(fromLibvirt(renderLibvirtDomain(plan).toXml())).toEqual(expected);
    expect(fromQemu(renderQemuArgs(plan))).toEqual(expected);
  });

  it('works out MACs, disk targets, share tags, sockets and devices once, in the plan', () => {
    const plan = planPortal(formula(UEFI_PORTAL), PLAN_OPTIONS);
    expect(plan.disks.map((d) => [d.name, d.target])).toEqual([
      ['root', 'vda'],
      ['data', 'sda'],
      ['logs', 'sdb'],
      ['scratch', 'vdb'],
    ]);
    expect(plan.disks[0]).toMatchObject({
      image: '/home/u/img/root.qcow2',
      boot: true,
      ephemeral: { overlay: '/run/multiverse/demo/root.overlay.qcow2' },
    });
    expect(plan.nics.map((n) => n.mac)).toHaveLength(3);
    expect(plan.nics[1]).toEqual({
      network: 'lan1',
      type: 'bridge',
      model: 'e1000',
      mac: '00:00:10:aa:bb:cc',
    });
    expect(plan.shares.folders.map((f) => [f.tag, f.source])).toEqual([
      ['multiverse-portal', '/srv/demo'],
      ['music', '/home/u/Music'],
    ]);
    expect(plan.shares.device).toBe('virtio-9p');
    expect(plan.consoleSocket).toBe('/run/multiverse/demo/console.sock');
    expect(plan.boot).toEqual({
      type: 'uefi',
      code: '/usr/share/OVMF/OVMF_CODE_4M.secboot.fd',
      varsTemplate: '/usr/share/OVMF/OVMF_VARS_4M.ms.fd',
      vars: '/run/multiverse/demo/OVMF_VARS.fd',
      secureBoot: true,
    });
    // The agent's implied vsock comes last, with the cid derived from the portal name.
    expect(plan.devices.map((d) => d.kind)).toEqual([
      'pci',
      'pci',
      'usb',
      'serial',
      'serial',
      'rng',
      'memory',
      'memory',
      'shmem',
      'vsock',
    ]);
    expect(plan.vsockCid).toBeGreaterThanOrEqual(3);
  });

  it('is what toLibvirtDomain and toQemuArgs render', async () => {
    const { toLibvirtDomain, toQemuArgs } = await import('../../src/index.js');
    const f = formula(UEFI_PORTAL);
    const plan = planPortal(f, PLAN_OPTIONS);
    expect(toLibvirtDomain(f, PLAN_OPTIONS).toXml()).toBe(renderLibvirtDomain(plan).toXml());
    expect(toQemuArgs(f, PLAN_OPTIONS)).toEqual(renderQemuArgs(plan));
  });
});
