import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type QemuCommand, resolveFormulaText, toQemuArgs } from '../../src/index.js';

// QEMU itself judges the argv for disks, overlays and devices: it starts the machine (SeaBIOS
// finds nothing to boot, which is fine) and QMP reports what it built. No guest kernel needed.
const dir = mkdtempSync(join(tmpdir(), 'mv-formula-devices-'));
const shmName = `mv-formula-test-${process.pid}`;

const formula = resolveFormulaText(
  `apiVersion: multiverse-os.org/formula/v1alpha1
kind: Portal
name: devices
category: application/test/devices
resources: { cpus: 1, memory: 128MiB, accelerator: tcg }
boot: { type: disk, disk: root, firmware: bios }
disks:
  - { name: root, image: ./base.raw, format: raw, mode: ephemeral }
  - { name: data, image: ./data.qcow2, mode: persistent, bus: scsi, readonly: true }
  - { name: scratch, image: ./scratch.qcow2, mode: persistent, bus: sata, cache: unsafe }
shares:
  portal: { source: ./share }
networks:
  - { name: user, type: user }
devices:
  - rng: {}
  - serial: { name: debug }
  - channel: { name: org.test.0 }
  - memory: { size: 128MiB }
  - shmem: { name: ${shmName}, size: 1MiB }
`,
  join(dir, 'devices.yaml'),
);

function connectUnix(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** A minimal QMP exchange: one command, its `return` value. */
async function qmpExecute(
  socket: Socket,
  replies: { text: string; qemuStderr: () => string },
  command: string,
): Promise<unknown> {
  const start = replies.text.length;
  socket.write(`${JSON.stringify({ execute: command })}\n`);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const line = replies.text
      .slice(start)
      .split('\n')
      .find((l) => l.includes('"return"') || l.includes('"error"'));
    if (line !== undefined) return JSON.parse(line).return;
    if (Date.now() > deadline || socket.destroyed) {
      throw new Error(`no QMP reply to ${command}: ${replies.text}\n${replies.qemuStderr()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('QEMU accepts the argv for disks, overlays and devices', () => {
  let qemu: ChildProcess | undefined;
  let command: QemuCommand;
  let stderr = '';
  let qmp: Socket;
  const replies = { text: '', qemuStderr: () => stderr };

  beforeAll(async () => {
    const runDir = join(dir, 'run');
    mkdirSync(runDir);
    mkdirSync(join(dir, 'share'));
    execFileSync('qemu-img', ['create', '-q', '-f', 'raw', join(dir, 'base.raw'), '1M']);
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', join(dir, 'data.qcow2'), '1M']);
    execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', join(dir, 'scratch.qcow2'), '1M']);
    command = toQemuArgs(formula, { runDir });
    for (const step of command.prepare) execFileSync(step.binary, step.args);
    qemu = spawn(command.binary, command.args, { stdio: ['ignore', 'ignore', 'pipe'] });
    qemu.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const deadline = Date.now() + 30_000;
    while (!existsSync(command.qmpSocket)) {
      if (qemu.exitCode !== null) throw new Error(`QEMU refused the argv: ${stderr}`);
      if (Date.now() > deadline) throw new Error(`QEMU did not open its QMP socket: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    qmp = await connectUnix(command.qmpSocket);
    qmp.on('data', (chunk: Buffer) => {
      replies.text += chunk.toString();
    });
    while (!replies.text.includes('"QMP"')) await new Promise((resolve) => setTimeout(resolve, 50));
    await qmpExecute(qmp, replies, 'qmp_capabilities');
  });

  afterAll(() => {
    qmp?.destroy();
    qemu?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    rmSync(join('/dev/shm', shmName), { force: true });
  });

  it('runs the machine', async () => {
    expect(await qmpExecute(qmp, replies, 'query-status')).toMatchObject({ status: 'running' });
  });

  it('puts the ephemeral disk on its overlay, backed by the image', async () => {
    const blocks = (await qmpExecute(qmp, replies, 'query-block')) as Array<{
      device: string;
      inserted?: { file: string; ro: boolean; image: { 'backing-filename'?: string } };
    }>;
    const byDevice = new Map(blocks.map((b) => [b.device, b.inserted]));
    expect(byDevice.get('disk-root')?.file).toBe(command.ephemeral[0]);
    expect(byDevice.get('disk-root')?.image['backing-filename']).toBe(join(dir, 'base.raw'));
    expect(byDevice.get('disk-data')?.ro).toBe(true);
    expect(byDevice.get('disk-scratch')?.file).toBe(join(dir, 'scratch.qcow2'));
  });

  it('plugs the DIMM', async () => {
    const dimms = (await qmpExecute(qmp, replies, 'query-memory-devices')) as Array<{
      type: string;
      data: { size: number };
    }>;
    expect(dimms).toMatchObject([{ type: 'dimm', data: { size: 128 * 1024 * 1024 } }]);
  });

  it('opens the serial and channel sockets it announced', () => {
    for (const socket of [...command.serialSockets, ...command.channelSockets]) {
      expect(existsSync(socket.path), socket.path).toBe(true);
    }
  });
});
