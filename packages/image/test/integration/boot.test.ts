import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bootGuest,
  buildInitramfs,
  type Guest,
  GuestExitedError,
  INIT_MARKERS,
  QemuNotFoundError,
} from '../../src/index.js';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function readFromVirtioSerial(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
      if (text.includes('\n')) {
        socket.destroy();
        resolve(text);
      }
    });
    socket.on('error', reject);
  });
}

function readFromTcp(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const attempt = (left: number) => {
      const socket = connect(port, '127.0.0.1');
      let text = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        text += chunk;
      });
      socket.on('close', () => {
        // slirp accepts before the guest listens and then closes: try again until data comes.
        if (text) resolve(text);
        else if (left > 0) setTimeout(() => attempt(left - 1), 250);
        else reject(new Error('no data from the forwarded port'));
      });
      socket.on('error', () => undefined);
    };
    attempt(400);
  });
}

describe('bootGuest: a guest with node, networking, virtio-serial and a 9p share', () => {
  let guest: Guest;
  let share: string;
  let hostPort: number;
  let fromVirtioSerial: Promise<string>;

  beforeAll(async () => {
    share = mkdtempSync(join(tmpdir(), 'mv-share-'));
    writeFileSync(join(share, 'from-host.txt'), 'written on the host\n');
    hostPort = await freePort();
    const initramfs = await buildInitramfs({
      modules: ['virtio_net', 'virtio_console', '9p', '9pnet_virtio'],
      node: true,
      init: [
        'echo "marker-line: guest is up"',
        'node -e "console.log(\'node-version:\', process.version)"',
        'mount -t 9p -o trans=virtio,version=9p2000.L share /mnt && cat /mnt/from-host.txt',
        'echo "written in the guest" > /mnt/from-guest.txt && echo "guest-wrote-file"',
        'umount /mnt',
        'echo "hello over virtio-serial" > /dev/virtio-ports/test',
        'echo "hello over hostfwd" | nc -l -p 7777',
      ].join('\n'),
    });
    guest = await bootGuest({
      initramfs,
      network: { hostForwards: [{ hostPort, guestPort: 7777 }] },
      virtioSerialPorts: ['test'],
      shares: [{ tag: 'share', path: share }],
      timeout: 170_000,
    });
    fromVirtioSerial = readFromVirtioSerial(guest.virtioSerialSockets.test!);
  });

  afterAll(async () => {
    await guest?.stop();
    rmSync(share, { recursive: true, force: true });
  });

  it('prints the marker line from the init script', async () => {
    await guest.waitForOutput('marker-line: guest is up', { timeout: 120_000 });
  });

  it('loaded the requested modules (as /proc/modules shows)', async () => {
    const { match } = await guest.waitForOutput(/mv-image: modules: (.*)\r?\n/);
    const loaded = match[1]!.trim().split(/\s+/);
    expect(loaded).toEqual(
      expect.arrayContaining(['virtio_net', 'virtio_console', '9p', '9pnet', '9pnet_virtio']),
    );
  });

  it('runs node inside the guest', async () => {
    const hostNode = execFileSync('/usr/bin/node', ['--version'], { encoding: 'utf8' }).trim();
    const { match } = await guest.waitForOutput(/node-version: (v[\d.]+)\r?\n/, {
      timeout: 60_000,
    });
    expect(match[1]).toBe(hostNode);
  });

  it("reads and writes the host folder through QEMU's virtio-9p", async () => {
    await guest.waitForOutput('written on the host', { timeout: 60_000 });
    await guest.waitForOutput('guest-wrote-file', { timeout: 60_000 });
    expect(readFileSync(join(share, 'from-guest.txt'), 'utf8')).toBe('written in the guest\n');
  });

  it('carries bytes over a virtio-serial port and a forwarded TCP port', async () => {
    expect(await fromVirtioSerial).toBe('hello over virtio-serial\n');
    expect(await readFromTcp(hostPort)).toBe('hello over hostfwd\n');
  });

  it('powers off by itself after the init script, and stop() removes its folder', async () => {
    await guest.waitForOutput(`${INIT_MARKERS.bodyExited} 0`, { timeout: 60_000 });
    const exit = await guest.waitForExit(60_000);
    expect(exit.code).toBe(0);
    await guest.stop();
    expect(existsSync(guest.dir)).toBe(false);
  });
});

describe('bootGuest: an interactive shell on the serial console', () => {
  it('answers typed commands', async () => {
    const initramfs = await buildInitramfs({ after: 'shell' });
    const guest = await bootGuest({ initramfs, timeout: 120_000 });
    try {
      await guest.waitForOutput(INIT_MARKERS.ready, { timeout: 90_000 });
      const from = guest.transcript.offset;
      guest.write('echo "sum=$((6*7))"\n');
      const { match } = await guest.waitForOutput(/sum=(\d+)\r?\n/, { from, timeout: 30_000 });
      expect(match[1]).toBe('42');
    } finally {
      await guest.stop();
    }
    expect(guest.running).toBe(false);
  });
});

/** The least QMP a test needs: greeting, capabilities, one command. */
function qmpCommand(path: string, command: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    let buffer = '';
    let sent = 0;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        const message = JSON.parse(line) as { QMP?: unknown; return?: unknown; error?: unknown };
        if (message.error) return reject(new Error(line));
        if (message.QMP && sent === 0) {
          sent = 1;
          socket.write('{"execute":"qmp_capabilities"}\n');
        } else if (message.return !== undefined && sent === 1) {
          sent = 2;
          socket.write(`{"execute":"${command}"}\n`);
        } else if (message.return !== undefined && sent === 2) {
          socket.end();
          resolve();
        }
      }
    });
    socket.on('error', reject);
  });
}

describe('bootGuest: the ACPI power button', () => {
  it('powers the guest off on QMP system_powerdown', async () => {
    const initramfs = await buildInitramfs({ powerButton: true, after: 'hang' });
    expect(initramfs.modules).toEqual(expect.arrayContaining(['button', 'evdev']));
    const guest = await bootGuest({ initramfs, timeout: 120_000 });
    try {
      await guest.waitForOutput(INIT_MARKERS.ready, { timeout: 90_000 });
      await qmpCommand(guest.qmpSocket, 'system_powerdown');
      await guest.waitForOutput(INIT_MARKERS.powerButton, { timeout: 30_000 });
      const exit = await guest.waitForExit(30_000);
      expect(exit.code).toBe(0);
    } finally {
      await guest.stop();
    }
  });
});

describe('bootGuest: failures', () => {
  it('says to install QEMU when the binary is missing', async () => {
    const initramfs = await buildInitramfs({});
    await expect(
      bootGuest({ initramfs, qemu: 'qemu-system-does-not-exist' }),
    ).rejects.toBeInstanceOf(QemuNotFoundError);
  });

  it("reports QEMU's own error when it refuses the command line, and cleans up", async () => {
    const initramfs = await buildInitramfs({});
    const error = await bootGuest({ initramfs, extraArgs: ['-no-such-option'] }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(GuestExitedError);
    expect((error as GuestExitedError).stderr).toMatch(/no-such-option/);
  });
});
