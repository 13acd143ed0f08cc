import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { bootGuest, buildInitramfs, type Guest } from '@multiverse-os/image';
import { build } from 'tsup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ChardevListener,
  Console,
  connectTcp,
  endpointFromChardevFilename,
  followFile,
  listenTcp,
  listenUnix,
  openEndpoint,
  openVirtioSerialHost,
} from '../../src/index.js';
import { RawQmp } from '../helpers/raw-qmp.js';

// One real guest for the whole file: busybox sh on ttyS0 (a Unix-socket chardev that
// bootGuest already connected), a second serial port on a pty, a virtio-serial port, and
// Node.js running this package's guest-side port code (test/guest/echo-port.ts, bundled).
let guest: Guest;
let console: Console;
let qmp: RawQmp;
let kernelRelease = '';
// ttyS2: QEMU connects to us (chardev server=off); ttyS3: QEMU listens on TCP (server=on).
let reverse: ChardevListener;
let tcpPort = 0;
const PROMPT = /[#$] $/;

const bundleDir = mkdtempSync(join(tmpdir(), 'mv-serial-guest-'));

beforeAll(async () => {
  await build({
    entry: { 'echo-port': resolve(import.meta.dirname, '../guest/echo-port.ts') },
    outDir: bundleDir,
    format: ['esm'],
    platform: 'node',
    target: 'node20',
    outExtension: () => ({ js: '.mjs' }),
    config: false,
    silent: true,
  });
  reverse = await listenUnix(join(bundleDir, 'reverse.sock'));
  // A free port for QEMU's TCP chardev (released just before QEMU takes it).
  const probe = await listenTcp('127.0.0.1', 0);
  tcpPort = probe.port ?? 0;
  await probe.close();
  const initramfs = await buildInitramfs({
    modules: ['virtio_console'],
    node: true,
    files: [{ path: '/opt/echo-port.mjs', source: join(bundleDir, 'echo-port.mjs') }],
    after: 'shell',
  });
  guest = await bootGuest({
    initramfs,
    virtioSerialPorts: ['agent'],
    // bootGuest passes -no-reboot; a QMP system_reset must reboot the guest here, not end QEMU.
    extraArgs: [
      '-action',
      'reboot=reset',
      '-chardev',
      'pty,id=ptyc',
      '-device',
      'isa-serial,chardev=ptyc',
      '-chardev',
      `socket,id=revc,path=${reverse.address}`,
      '-device',
      'isa-serial,chardev=revc',
      '-chardev',
      `socket,id=tcpc,host=127.0.0.1,port=${tcpPort},server=on,wait=off`,
      '-device',
      'isa-serial,chardev=tcpc',
    ],
    timeout: 170_000,
  });
  console = new Console(guest.console, { timeout: 60_000 });
  qmp = await RawQmp.open(guest.qmpSocket);
});

afterAll(async () => {
  qmp?.close();
  await reverse?.close();
  await guest?.stop();
  rmSync(bundleDir, { recursive: true, force: true });
});

describe('a real guest on the serial console', () => {
  it('shows the kernel banner, then the shell prompt', async () => {
    const banner = await console.expect(/Linux version (\S+) /, { timeout: 150_000 });
    kernelRelease = banner.groups[1] ?? '';
    expect(kernelRelease).toMatch(/^\d+\.\d+/);
    await console.expect('mv-image: ready', { timeout: 150_000 });
    await console.expect(PROMPT);
  });

  it('runs uname -r and reads the kernel release and exit status', async () => {
    const result = await console.run('uname -r');
    expect(result).toEqual({ output: `${kernelRelease}\n`, status: 0 });
  });

  it('reads a long output: /proc/cpuinfo', async () => {
    const result = await console.run('cat /proc/cpuinfo');
    expect(result.status).toBe(0);
    expect(result.output).toMatch(/^processor\s+: 0$/m);
    expect(result.output).toMatch(/^model name\s+: .+$/m);
    expect(result.output).not.toContain('\r');
  });

  it('reports a failing command status (3)', async () => {
    const result = await console.run('sh -c "echo failing >&2; exit 3"');
    expect(result).toEqual({ output: 'failing\n', status: 3 });
  });

  it('interrupts a running command with Ctrl-C', async () => {
    await console.sendLine('sleep 1000');
    await console.expect('sleep 1000');
    await new Promise((resolve) => setTimeout(resolve, 500));
    await console.send('\x03');
    await console.expect(PROMPT, { timeout: 20_000 });
    const result = await console.run('echo still here', { timeout: 20_000 });
    expect(result).toEqual({ output: 'still here\n', status: 0 });
  });

  it('drives the shell reliably 20 times in a row', async () => {
    for (let i = 1; i <= 20; i++) {
      const result = await console.run(`echo round-${i} $((${i} * ${i})); test ${i} -lt 15`);
      expect(result).toEqual({ output: `round-${i} ${i * i}\n`, status: i < 15 ? 0 : 1 });
    }
  });

  it('follows QEMU console log file as it grows', async () => {
    const log = new Console(await followFile(guest.consoleLog, { interval: 50 }));
    try {
      expect((await log.expect(/Linux version (\S+) /, { timeout: 10_000 })).groups[1]).toBe(
        kernelRelease,
      );
      await console.run('echo written-to-the-log');
      await log.expect('written-to-the-log\r\n', { timeout: 10_000 });
      await expect(log.send('x')).rejects.toMatchObject({ code: 'CONSOLE_CLOSED' });
    } finally {
      log.close();
    }
  });

  it('opens a pty chardev found with QMP query-chardev (ttyS1)', async () => {
    const chardevs = (await qmp.execute('query-chardev')) as { label: string; filename: string }[];
    const pty = chardevs.find((c) => c.label === 'ptyc');
    expect(pty?.filename).toMatch(/^pty:\/dev\/pts\/\d+$/);
    const endpoint = endpointFromChardevFilename(pty?.filename ?? '');
    expect(endpoint.kind).toBe('serial');
    const second = new Console(await openEndpoint(endpoint), { timeout: 30_000 });
    try {
      await console.run('stty -F /dev/ttyS1 115200 raw -echo');
      const waiting = second.expect('hello on ttyS1');
      await console.run('echo "hello on ttyS1" > /dev/ttyS1');
      await waiting;
      // And the other way: the guest reads one line from ttyS1.
      const reading = console.run('head -n 1 /dev/ttyS1');
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await second.sendLine('typed from the host');
      expect(await reading).toEqual({ output: 'typed from the host\n', status: 0 });
    } finally {
      second.close();
    }
  });

  it('serves a server=off Unix chardev (QEMU connects to us) and connects to a TCP one', async () => {
    const ttyS2 = new Console(await reverse.accept(), { timeout: 30_000 });
    const ttyS3 = new Console(await connectTcp('127.0.0.1', tcpPort, { retryFor: 5000 }), {
      timeout: 30_000,
    });
    try {
      await console.run('stty -F /dev/ttyS2 115200 raw -echo; stty -F /dev/ttyS3 115200 raw -echo');
      const both = Promise.all([ttyS2.expect('to the host listener'), ttyS3.expect('over tcp')]);
      await console.run('echo "to the host listener" > /dev/ttyS2; echo "over tcp" > /dev/ttyS3');
      await both;
      const reading = console.run('head -n 1 /dev/ttyS3');
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await ttyS3.sendLine('typed over tcp');
      expect(await reading).toEqual({ output: 'typed over tcp\n', status: 0 });
    } finally {
      ttyS2.close();
      ttyS3.close();
    }
  });

  it('exposes a virtio-serial port as a plain Duplex on the host', async () => {
    const socketPath = guest.virtioSerialSockets.agent ?? '';
    const port = new Console(await openVirtioSerialHost(socketPath), { timeout: 30_000 });
    try {
      const device = (await console.run('ls /dev/vport*p1')).output.trim();
      expect(device).toMatch(/^\/dev\/vport\d+p1$/);
      const waiting = port.expect('from the guest');
      await console.run(`echo "from the guest" > ${device}`);
      await waiting;
      await console.run(`(head -n 1 ${device} > /tmp/got &)`);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await port.sendLine('from the host');
      let got = '';
      for (let i = 0; i < 20 && got === ''; i++) {
        got = (await console.run('cat /tmp/got')).output;
        if (got === '') await new Promise((resolve) => setTimeout(resolve, 500));
      }
      expect(got).toBe('from the host\n');
    } finally {
      port.close();
    }
  });

  it('runs the guest side of a virtio-serial port with this package (Node in the guest)', async () => {
    const socketPath = guest.virtioSerialSockets.agent ?? '';
    // The 100 KB answer below must match as one piece, across many chunks.
    const port = new Console(await openVirtioSerialHost(socketPath), {
      timeout: 60_000,
      maxMatchLength: 256 * 1024,
    });
    try {
      // No udev in the tiny guest: make the /dev/virtio-ports/<name> link it would make.
      const link = await console.run(
        'mkdir -p /dev/virtio-ports && ln -sf /dev/$(basename $(ls -d /sys/class/virtio-ports/vport*)) /dev/virtio-ports/$(cat /sys/class/virtio-ports/vport*/name)',
      );
      expect(link.status).toBe(0);
      await console.run('(node /opt/echo-port.mjs > /tmp/echo.log 2>&1 &)');
      let log = '';
      for (let i = 0; i < 120 && !log.includes('echo-port ready'); i++) {
        log = (await console.run('cat /tmp/echo.log')).output;
        if (!log.includes('echo-port ready')) await new Promise((r) => setTimeout(r, 500));
      }
      expect(log).toContain('echo-port ready');
      for (let i = 0; i < 5; i++) {
        await port.sendLine(`message ${i}`);
        await port.expect(`echo:MESSAGE ${i}\n`);
      }
      const big = 'x'.repeat(100_000);
      await port.sendLine(big);
      const echoed = await port.expect(/echo:(X+)\n/);
      expect(echoed.groups[1]?.length).toBe(big.length);
    } finally {
      port.close();
    }
  });

  it('keeps watching the console across a QMP system_reset', async () => {
    await console.run('echo before reset');
    await qmp.execute('system_reset');
    const banner = await console.expect(/Linux version (\S+) /, { timeout: 150_000 });
    expect(banner.groups[1]).toBe(kernelRelease);
    await console.expect('mv-image: ready', { timeout: 150_000 });
    await console.expect(PROMPT);
    expect(await console.run('echo after reset')).toEqual({ output: 'after reset\n', status: 0 });
  });
});
