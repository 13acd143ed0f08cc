import { describe, expect, it } from 'vitest';
import { InvalidOptionError, type QemuArgsOptions, qemuArgs } from '../../src/index.js';

const base: QemuArgsOptions = {
  kernel: '/boot/vmlinuz',
  initramfs: '/tmp/i.cpio.gz',
  sockets: {
    console: '/run/g/console.sock',
    consoleLog: '/run/g/console.log',
    qmp: '/run/g/qmp.sock',
    virtioSerial: { agent: '/run/g/vser-agent.sock' },
  },
};

function valueAfter(args: string[], flag: string): string[] {
  return args.flatMap((arg, i) => (arg === flag ? [args[i + 1] ?? ''] : []));
}

describe('qemuArgs', () => {
  it('defaults to TCG with -cpu max, a waiting console socket and QMP', () => {
    const args = qemuArgs(base);
    expect(valueAfter(args, '-accel')).toEqual(['tcg']);
    expect(valueAfter(args, '-cpu')).toEqual(['max']);
    expect(valueAfter(args, '-append')).toEqual(['console=ttyS0 panic=-1']);
    expect(valueAfter(args, '-chardev')[0]).toBe(
      'socket,id=console,path=/run/g/console.sock,server=on,wait=on,logfile=/run/g/console.log',
    );
    expect(valueAfter(args, '-qmp')).toEqual(['unix:/run/g/qmp.sock,server=on,wait=off']);
  });

  it('uses -cpu host under KVM', () => {
    expect(valueAfter(qemuArgs({ ...base, accel: 'kvm' }), '-cpu')).toEqual(['host']);
  });

  it('forwards host ports on loopback only, and guest ports to chardevs', () => {
    const args = qemuArgs({
      ...base,
      network: {
        hostForwards: [{ hostPort: 2222, guestPort: 22 }],
        guestForwards: [{ guestPort: 5640, target: 'tcp:127.0.0.1:5640' }],
      },
    });
    expect(valueAfter(args, '-netdev')).toEqual([
      'user,id=net0,hostfwd=tcp:127.0.0.1:2222-:22,guestfwd=tcp:10.0.2.100:5640-tcp:127.0.0.1:5640',
    ]);
  });

  it('adds virtio-serial ports and 9p shares', () => {
    const args = qemuArgs({
      ...base,
      virtioSerialPorts: ['agent'],
      shares: [{ tag: 'multiverse-portal', path: '/srv/a,b', readonly: true }],
    });
    expect(valueAfter(args, '-device')).toContain(
      'virtserialport,bus=virtio-serial0.0,chardev=vser-agent,name=agent',
    );
    // A comma in a path is doubled, as QEMU's option syntax requires.
    expect(valueAfter(args, '-fsdev')).toEqual([
      'local,id=fs0,path=/srv/a,,b,security_model=none,readonly=on',
    ]);
  });

  it('names the bad option in its errors', () => {
    expect(() => qemuArgs({ ...base, memory: 12 })).toThrow(InvalidOptionError);
    expect(() =>
      qemuArgs({ ...base, network: { hostForwards: [{ hostPort: 70000, guestPort: 1 }] } }),
    ).toThrow(/network\.hostForwards\[0\]\.hostPort: must be a port number/);
    expect(() => qemuArgs({ ...base, virtioSerialPorts: ['bad name'] })).toThrow(
      /virtioSerialPorts\[0\]: "bad name" is not a valid port name/,
    );
    expect(() => qemuArgs({ ...base, shares: [{ tag: 'a,b', path: '/x' }] })).toThrow(
      /shares\[0\]\.tag/,
    );
  });
});
