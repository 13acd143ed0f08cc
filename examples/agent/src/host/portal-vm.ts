import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import {
  AGENT_CHANNEL,
  type QemuCommand,
  resolveFormulaFile,
  toQemuArgs,
} from '@multiverse-os/formula';
import type { Initramfs } from '@multiverse-os/image';
import { QmpClient } from '@multiverse-os/qmp';
import { Console, connectUnix } from '@multiverse-os/serial';

/** Where the guest finds its agent configuration (QEMU fw_cfg, read from sysfs). */
export const FW_CFG_NAME = 'opt/org.multiverse-os/agent';
export const FW_CFG_GUEST_PATH = `/sys/firmware/qemu_fw_cfg/by_name/${FW_CFG_NAME}/raw`;

export interface LaunchOptions {
  formulaFile: string;
  initramfs: Initramfs;
  runDir: string;
  home: string;
  /** Host file holding the agent's JSON configuration (keys included), handed over by fw_cfg. */
  agentConfigFile: string;
  /** Receives every console line of the guest. */
  onConsoleLine?: (line: string) => void;
}

/** A portal started from its formula: QEMU paused, then QMP and the console attached. */
export interface PortalVm {
  command: QemuCommand;
  qemu: ChildProcess;
  qmp: QmpClient;
  console: Console;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
  /** Connects to the host side of the agent's virtio-serial port. */
  connectAgent(): Promise<Socket>;
  /** Kills QEMU if it still runs. */
  kill(): Promise<void>;
}

export async function launchPortal(options: LaunchOptions): Promise<PortalVm> {
  mkdirSync(options.runDir, { recursive: true });
  const formula = resolveFormulaFile(options.formulaFile);
  const command = toQemuArgs(formula, {
    runDir: options.runDir,
    home: options.home,
    kernel: options.initramfs.kernel.image,
    initrd: options.initramfs.path,
  });
  const channel = command.channelSockets.find((c) => c.name === AGENT_CHANNEL);
  if (!channel) throw new Error(`${formula.name}: the formula has no virtio-serial agent channel`);
  // -S: start paused, so QMP and the console are attached before the first instruction runs.
  const args = [
    ...command.args,
    '-S',
    '-fw_cfg',
    `name=${FW_CFG_NAME},file=${options.agentConfigFile}`,
  ];
  const qemu = spawn(command.binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  qemu.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
    (resolve, reject) => {
      qemu.once('error', (error) =>
        reject(
          new Error(
            `${command.binary} did not start (install Debian's qemu-system-x86): ${error.message}`,
          ),
        ),
      );
      qemu.once('exit', (code, signal) => resolve({ code, signal }));
    },
  );
  exited.catch(() => {});
  const kill = async () => {
    if (qemu.exitCode === null && qemu.signalCode === null) qemu.kill('SIGKILL');
    await exited.catch(() => {});
  };
  try {
    const qmp = await Promise.race([
      QmpClient.connect({ path: command.qmpSocket }, { retry: { timeout: 30_000 } }),
      exited.then(() => {
        throw new Error(`QEMU exited early: ${stderr}`);
      }),
    ]);
    const consoleSocket = await connectUnix(command.consoleSocket, { retryFor: 10_000 });
    const console = new Console(consoleSocket, { timeout: 120_000 });
    if (options.onConsoleLine) console.on('line', options.onConsoleLine);
    return {
      command,
      qemu,
      qmp,
      console,
      exited,
      stderr: () => stderr,
      connectAgent: () =>
        new Promise((resolve, reject) => {
          const socket = connect(channel.path);
          socket.once('connect', () => resolve(socket));
          socket.once('error', reject);
        }),
      kill,
    };
  } catch (error) {
    await kill();
    throw error;
  }
}
