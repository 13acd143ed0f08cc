import { encode } from 'cbor-x';
import { describe, expect, it } from 'vitest';
import {
  decodeFormulaCbor,
  encodeFormulaCbor,
  FormulaCompileError,
  FormulaError,
  hostFolders,
  parseSize,
  resolveFormulaText,
  toFstab,
  toQemuArgs,
} from '../../src/index.js';

const HEAD = `apiVersion: multiverse-os.org/formula/v1alpha1
kind: Portal
name: demo
category: application/demo
`;

function formula(body: string) {
  return resolveFormulaText(`${HEAD}${body}`, '/formulas/demo.yaml');
}

/** The value that follows `flag` in argv, for each time the flag appears. */
function flagValues(args: readonly string[], flag: string): string[] {
  return args.flatMap((arg, i) => (arg === flag ? [args[i + 1] ?? ''] : []));
}

describe('toQemuArgs', () => {
  const kernelBoot = 'boot: { type: kernel, kernel: vmlinuz, initrd: initrd.img }\n';

  it('boots a kernel with a QMP socket and the console on a socket chardev', () => {
    const command = toQemuArgs(formula(`${kernelBoot}resources: { cpus: 2, memory: 1.5GiB }\n`), {
      runDir: '/run/demo',
    });
    expect(command.binary).toBe('qemu-system-x86_64');
    expect(flagValues(command.args, '-kernel')).toEqual(['/formulas/vmlinuz']);
    expect(flagValues(command.args, '-initrd')).toEqual(['/formulas/initrd.img']);
    expect(flagValues(command.args, '-append')).toEqual(['console=ttyS0']);
    expect(flagValues(command.args, '-m')).toEqual(['1536M']);
    expect(flagValues(command.args, '-smp')).toEqual(['2']);
    expect(flagValues(command.args, '-qmp')).toEqual([
      'unix:/run/demo/qmp.sock,server=on,wait=off',
    ]);
    expect(flagValues(command.args, '-chardev')[0]).toBe(
      'socket,id=console,path=/run/demo/console.sock,server=on,wait=off',
    );
    expect(flagValues(command.args, '-serial')).toEqual(['chardev:console']);
    expect(command.qmpSocket).toBe('/run/demo/qmp.sock');
    expect(command.consoleSocket).toBe('/run/demo/console.sock');
  });

  it('lets the caller swap kernel, initrd and accelerator; host becomes max under TCG', () => {
    const command = toQemuArgs(formula(kernelBoot), {
      runDir: '/r',
      kernel: '/k',
      initrd: '/i',
      accelerator: 'tcg',
    });
    expect(flagValues(command.args, '-kernel')).toEqual(['/k']);
    expect(flagValues(command.args, '-initrd')).toEqual(['/i']);
    expect(flagValues(command.args, '-machine')).toEqual(['q35,accel=tcg']);
    expect(flagValues(command.args, '-cpu')).toEqual(['max']);
  });

  it('puts an ephemeral disk behind a qcow2 overlay it asks the caller to create', () => {
    const f = formula(
      'boot: { type: disk, disk: root, firmware: bios }\ndisks:\n  - { name: root, image: /img/base.raw, format: raw }\n  - { name: data, image: /img/data.qcow2, mode: persistent, readonly: true, bus: scsi }\n  - { name: logs, image: /img/logs.qcow2, mode: persistent, bus: sata }\n',
    );
    const command = toQemuArgs(f, { runDir: '/r' });
    expect(command.prepare).toEqual([
      {
        binary: 'qemu-img',
        args: [
          'create',
          '-f',
          'qcow2',
          '-F',
          'raw',
          '-b',
          '/img/base.raw',
          '/r/root.overlay.qcow2',
        ],
      },
    ]);
    expect(command.ephemeral).toEqual(['/r/root.overlay.qcow2']);
    expect(flagValues(command.args, '-drive')).toEqual([
      'if=none,id=disk-root,file=/r/root.overlay.qcow2,format=qcow2,cache=none',
      'if=none,id=disk-data,file=/img/data.qcow2,format=qcow2,cache=none,readonly=on',
      'if=none,id=disk-logs,file=/img/logs.qcow2,format=qcow2,cache=none',
    ]);
    expect(flagValues(command.args, '-device')).toContain(
      'virtio-blk-pci,drive=disk-root,bootindex=1',
    );
    expect(flagValues(command.args, '-device')).toContain('scsi-hd,drive=disk-data,bus=scsi0.0');
    expect(flagValues(command.args, '-device')).toContain('ide-hd,drive=disk-logs,bus=ide.0');
  });

  it('adds UEFI firmware for firmware: uefi', () => {
    const f = formula(
      'boot: { type: disk, disk: root }\ndisks: [{ name: root, image: /img/r.qcow2 }]\n',
    );
    const command = toQemuArgs(f, {
      runDir: '/r',
      ovmfCode: '/fw/code.fd',
      ovmfVars: '/fw/vars.fd',
    });
    expect(command.prepare[0]).toEqual({ binary: 'cp', args: ['/fw/vars.fd', '/r/OVMF_VARS.fd'] });
    expect(flagValues(command.args, '-drive').slice(0, 2)).toEqual([
      'if=pflash,format=raw,unit=0,readonly=on,file=/fw/code.fd',
      'if=pflash,format=raw,unit=1,file=/r/OVMF_VARS.fd',
    ]);
  });

  it('turns on SMM and secure flash for Secure Boot, with the secboot firmware', () => {
    const f = formula(
      'boot: { type: disk, disk: root, secureBoot: true }\ndisks: [{ name: root, image: /img/r.qcow2 }]\n',
    );
    const command = toQemuArgs(f, { runDir: '/r' });
    expect(flagValues(command.args, '-machine')).toEqual(['q35,accel=kvm,smm=on']);
    expect(flagValues(command.args, '-global')).toEqual([
      'driver=cfi.pflash01,property=secure,value=on',
    ]);
    expect(flagValues(command.args, '-drive')[0]).toBe(
      'if=pflash,format=raw,unit=0,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.secboot.fd',
    );
    expect(command.prepare[0]?.args[0]).toBe('/usr/share/OVMF/OVMF_VARS_4M.ms.fd');
  });

  it('shares the portal folder and extra folders over 9P with their security model', () => {
    const f = formula(
      `${kernelBoot}shares:\n  portal: { source: /srv/demo }\n  folders:\n    - { name: music, source: /home/u/Music, readonly: true, access: passthrough }\n`,
    );
    const command = toQemuArgs(f, { runDir: '/r' });
    expect(flagValues(command.args, '-fsdev')).toEqual([
      'local,id=fs0,path=/srv/demo,security_model=mapped-xattr',
      'local,id=fs1,path=/home/u/Music,security_model=passthrough,readonly=on',
    ]);
    expect(flagValues(command.args, '-device')).toContain(
      'virtio-9p-pci,fsdev=fs0,mount_tag=multiverse-portal',
    );
    expect(flagValues(command.args, '-device')).toContain(
      'virtio-9p-pci,fsdev=fs1,mount_tag=music',
    );
  });

  it('uses vhost-user-fs with shared memory and asks for virtiofsd for virtiofs', () => {
    const f = formula(
      `${kernelBoot}shares: { transport: virtiofs, portal: { source: /srv/demo } }\n`,
    );
    const command = toQemuArgs(f, { runDir: '/r' });
    expect(flagValues(command.args, '-machine')).toEqual([
      'q35,accel=kvm,memory-backend=portal-ram',
    ]);
    expect(flagValues(command.args, '-object')).toContain(
      'memory-backend-memfd,id=portal-ram,size=1024M,share=on',
    );
    expect(flagValues(command.args, '-device')).toContain(
      'vhost-user-fs-pci,chardev=fs0,tag=multiverse-portal',
    );
    expect(command.daemons).toEqual([
      {
        binary: 'virtiofsd',
        args: ['--socket-path=/r/virtiofs-multiverse-portal.sock', '--shared-dir=/srv/demo'],
      },
    ]);
  });

  it('attaches networks with the allocated MACs', () => {
    const f = formula(
      `${kernelBoot}networks:\n  - { name: star0, mac: "00:00:10:aa:bb:cc" }\n  - { name: user, type: user, model: e1000 }\n`,
    );
    const command = toQemuArgs(f, { runDir: '/r' });
    expect(flagValues(command.args, '-netdev')).toEqual([
      'bridge,id=net0,br=star0',
      'user,id=net1',
    ]);
    const nics = flagValues(command.args, '-device').filter((d) => d.includes('netdev='));
    expect(nics[0]).toBe('virtio-net-pci,netdev=net0,mac=00:00:10:aa:bb:cc');
    expect(nics[1]).toMatch(/^e1000,netdev=net1,mac=00:00:10:/);
  });

  it('compiles every device kind', () => {
    const f = formula(`${kernelBoot}devices:
  - pci: { address: "01:00.0", rom: false }
  - pci: { id: "10de:1b80" }
  - usb: { vendor: "2c97", product: "0001" }
  - vsock: { cid: 42 }
  - serial: { name: debug }
  - channel: { name: org.test.0 }
  - rng: {}
  - memory: { size: 512MiB }
  - shmem: { name: fb, size: 16MiB }
`);
    const command = toQemuArgs(f, { runDir: '/r', pciIds: { '10de:1b80': '0000:02:00.0' } });
    const devices = flagValues(command.args, '-device');
    expect(devices).toEqual(
      expect.arrayContaining([
        'vfio-pci,id=dev0,host=0000:01:00.0,rombar=0',
        'vfio-pci,id=dev1,host=0000:02:00.0,rombar=1',
        'qemu-xhci,id=usb',
        'usb-host,id=dev2,bus=usb.0,vendorid=0x2c97,productid=0x0001',
        'vhost-vsock-pci,id=dev3,guest-cid=42',
        'isa-serial,id=dev4,chardev=serial-debug',
        'virtio-serial-pci,id=virtio-serial0',
        'virtserialport,id=dev5,bus=virtio-serial0.0,chardev=channel5,name=org.test.0',
        'virtio-rng-pci,id=dev6,rng=rng6',
        'pc-dimm,id=dev7,memdev=mem7',
        'ivshmem-plain,id=dev8,memdev=shmem8',
      ]),
    );
    expect(flagValues(command.args, '-m')).toEqual(['1024M,slots=1,maxmem=1536M']);
    expect(command.serialSockets).toEqual([{ name: 'debug', path: '/r/serial-debug.sock' }]);
    expect(command.channelSockets).toEqual([
      { name: 'org.test.0', path: '/r/channel-org.test.0.sock' },
    ]);
    expect(command.vsockCid).toBe(42);
  });

  it('gives the agent a vsock device or a virtio-serial channel', () => {
    const vsock = toQemuArgs(formula(`${kernelBoot}agent: { enabled: true }\n`), {
      runDir: '/r',
      vsockCid: 7,
    });
    expect(flagValues(vsock.args, '-device')).toContain('vhost-vsock-pci,id=dev0,guest-cid=7');
    const serial = toQemuArgs(
      formula(`${kernelBoot}agent: { enabled: true, transport: virtio-serial }\n`),
      { runDir: '/r' },
    );
    expect(serial.channelSockets.map((c) => c.name)).toEqual(['org.multiverse-os.agent.0']);
  });

  it('refuses a PCI id without a host address, and abstract formulas', () => {
    expect(() =>
      toQemuArgs(formula(`${kernelBoot}devices: [{ pci: { id: "10de:1b80" } }]\n`), {
        runDir: '/r',
      }),
    ).toThrow(FormulaCompileError);
    expect(() => toQemuArgs(formula('abstract: true\n'), { runDir: '/r' })).toThrow(
      FormulaCompileError,
    );
  });
});

describe('toFstab and hostFolders', () => {
  it("writes the seeds' portal share line and one line per folder", () => {
    const f = formula(
      'boot: { type: kernel, kernel: /k }\nshares:\n  folders:\n    - { name: music, source: ~/Music, readonly: true }\n    - { name: code, source: /src, target: /home/user/code }\n',
    );
    expect(toFstab(f, { home: '/home/u' })).toBe(
      [
        'multiverse-portal /mnt/multiverse-portal 9p trans=virtio,version=9p2000.L,posixacl,rw,cache=none,nofail 0 0',
        'music /mnt/multiverse-portal/music 9p trans=virtio,version=9p2000.L,posixacl,ro,cache=none,nofail 0 0',
        'code /home/user/code 9p trans=virtio,version=9p2000.L,posixacl,rw,cache=none,nofail 0 0',
        '',
      ].join('\n'),
    );
    expect(hostFolders(f, { home: '/home/u' }).map((h) => [h.tag, h.source])).toEqual([
      ['multiverse-portal', '/home/u/.local/share/multiverse/portals/demo'],
      ['music', '/home/u/Music'],
      ['code', '/src'],
    ]);
  });

  it('writes virtiofs and Multiverse-server 9P lines', () => {
    const virtiofs = formula(
      'boot: { type: kernel, kernel: /k }\nshares: { transport: virtiofs }\n',
    );
    expect(toFstab(virtiofs)).toBe(
      'multiverse-portal /mnt/multiverse-portal virtiofs rw,nofail 0 0\n',
    );
    const ours = formula(
      'boot: { type: kernel, kernel: /k }\nshares: { server: multiverse, serverAddress: "tcp:10.0.2.2:5640" }\n',
    );
    expect(toFstab(ours)).toBe(
      '10.0.2.2 /mnt/multiverse-portal 9p trans=tcp,port=5640,aname=multiverse-portal,version=9p2000.L,posixacl,rw,cache=none,nofail 0 0\n',
    );
  });

  it('is empty when nothing is shared', () => {
    expect(
      toFstab(
        formula('boot: { type: kernel, kernel: /k }\nshares: { portal: { enabled: false } }\n'),
      ),
    ).toBe('');
  });
});

describe('CBOR', () => {
  it('round-trips a resolved formula', () => {
    const f = formula(
      'boot: { type: kernel, kernel: /k }\nlabels: { tier: "1" }\ndevices: [{ vsock: { cid: 9 } }]\nresources: { memory: 2GiB }\n',
    );
    const bytes = encodeFormulaCbor(f);
    expect(bytes[0]! >> 5).toBe(5); // a CBOR map, readable by any decoder
    expect(decodeFormulaCbor(bytes)).toEqual(f);
  });

  it('rejects bytes that are not a formula', () => {
    expect(() => decodeFormulaCbor(new Uint8Array([0xff, 0x00]))).toThrow(FormulaError);
    expect(() => decodeFormulaCbor(encode({ kind: 'Nope' }))).toThrow(FormulaError);
  });
});

describe('parseSize', () => {
  it('reads binary, decimal and bare sizes', () => {
    expect(parseSize('512MiB')).toBe(512 * 1024 ** 2);
    expect(parseSize('2G')).toBe(2 * 1024 ** 3);
    expect(parseSize('1GB')).toBe(1e9);
    expect(parseSize('1.5GiB')).toBe(1.5 * 1024 ** 3);
    expect(parseSize(256)).toBe(256 * 1024 ** 2);
    expect(parseSize('lots')).toBeUndefined();
  });
});
