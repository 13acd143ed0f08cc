import { copyFile, mkdir } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { GUEST_CONFIG_DIR, routerGuestFiles } from '@multiverse-os-examples/router';
import { toQemuArgs } from '@multiverse-os/formula';
import { buildInitramfs, findKernel } from '@multiverse-os/image';
import { QemuMachine } from '@multiverse-os/qmp/machine';
import { InstallerError } from './errors.js';
import type { InstallPlan } from './plan.js';
import { Progress } from './progress.js';

export interface DirectOptions {
  log?: (line: string) => void;
  /** Where progress goes; a bar when it is a TTY. Default stdout. */
  out?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Milliseconds to reach the console. Default 150,000 (TCG on a busy machine is slow). */
  timeout?: number;
  /** Leave the controller running and return it (the caller shuts it down). */
  keep?: boolean;
}

export interface DirectResult {
  machine: QemuMachine;
  status: unknown;
  /** Everything read from the console. */
  console: string;
}

/** A text the console prints only when a command ran, never when it is echoed as typed. */
const PROBE = 'echo "mv""-console-ok $(cat /proc/sys/net/ipv4/ip_forward)"\n';
const PROBE_REPLY = /mv-console-ok (\d)/;

async function openConsole(path: string, deadline: number): Promise<Socket> {
  for (;;) {
    try {
      return await new Promise<Socket>((resolve, reject) => {
        const socket = connect(path, () => resolve(socket));
        socket.once('error', reject);
      });
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(200);
    }
  }
}

/**
 * The direct path, without libvirt: builds the router controller's tiny image with
 * `@multiverse-os/image` (busybox, the router guests' configuration of the network plan),
 * copies kernel and image into `<storage root>/base-images/tiny`, compiles the controller's
 * formula with `toQemuArgs` (TCG, no disks: the tiny image is the whole system), starts QEMU
 * through `@multiverse-os/qmp` and talks to the guest over its console socket.
 */
export async function runDirect(
  plan: InstallPlan,
  options: DirectOptions = {},
): Promise<DirectResult> {
  const log = options.log ?? (() => {});
  const controller = plan.domains.find((d) => d.role === 'router-controller');
  if (!controller) throw new InstallerError('DIRECT_FAILED', 'the plan has no router controller');
  const progress = new Progress('router-controller image', 4, options.out);
  const kernel = findKernel();
  progress.step(`kernel ${kernel.release}`);
  const files = plan.networkPlan.routers.flatMap((router) =>
    routerGuestFiles(plan.networkPlan, router).map((file) => ({
      path: `/etc/multiverse/routers/${router.name}/${file.name}`,
      content: file.content,
      mode: file.mode ?? 0o644,
    })),
  );
  const image = await buildInitramfs({
    kernel,
    files,
    init: [
      // The controller keeps the configurations its routers will boot with.
      `ls /etc/multiverse/routers > /run/routers`,
      `mkdir -p ${GUEST_CONFIG_DIR}`,
      'echo 1 > /proc/sys/net/ipv4/ip_forward',
      "echo \"router-controller: ready, routers: $(cat /run/routers | tr '\\n' ' ')\"",
    ].join('\n'),
    after: 'shell',
  });
  progress.step(
    `initramfs ${image.cached ? '(cached)' : 'built'} ${(image.size / 1024).toFixed(0)} KiB`,
  );
  const imageDir = join(plan.storageRoot, 'base-images', 'tiny');
  await mkdir(imageDir, { recursive: true });
  const kernelCopy = join(imageDir, 'vmlinuz');
  const initrdCopy = join(imageDir, `${controller.name}.initramfs.gz`);
  await copyFile(kernel.image, kernelCopy);
  progress.step(`copied ${kernelCopy}`);
  await copyFile(image.path, initrdCopy);
  progress.step(`copied ${initrdCopy}`);

  const runDir = join(plan.storageRoot, 'run', controller.name);
  await mkdir(runDir, { recursive: true });
  const command = toQemuArgs(
    { ...controller.formula, disks: [] },
    {
      runDir,
      kernel: kernelCopy,
      initrd: initrdCopy,
      cmdline: 'console=ttyS0',
      accelerator: 'tcg',
    },
  );
  // QemuMachine brings its own QMP socket: drop the formula's.
  const args = command.args.filter((_, i, all) => all[i] !== '-qmp' && all[i - 1] !== '-qmp');
  const machine = await QemuMachine.launch({ binary: command.binary, args });
  try {
    const status = await machine.client.execute('query-status');
    log(`${controller.name}: QEMU pid ${machine.pid}, QMP query-status ${JSON.stringify(status)}`);
    const deadline = Date.now() + (options.timeout ?? 150_000);
    const socket = await openConsole(command.consoleSocket, deadline);
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      text += chunk;
    });
    // Until the guest's shell answers, ask again every few seconds (it may still be booting).
    let reply = PROBE_REPLY.exec(text);
    while (reply === null) {
      if (Date.now() > deadline) {
        throw new InstallerError(
          'DIRECT_FAILED',
          `${controller.name}: no answer on the console ${command.consoleSocket}:\n${text.slice(-2000)}`,
        );
      }
      socket.write(PROBE);
      await sleep(3000);
      reply = PROBE_REPLY.exec(text);
    }
    socket.destroy();
    log(`${controller.name}: console reached on ${command.consoleSocket} (ip_forward=${reply[1]})`);
    if (!options.keep) await machine.shutdown({ powerdownTimeout: 0 });
    return { machine, status, console: text };
  } catch (error) {
    await machine.kill().catch(() => undefined);
    throw error;
  }
}
