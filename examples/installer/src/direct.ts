import { copyFile, mkdir } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { hostFolders, toQemuArgs } from '@multiverse-os/formula';
import { buildInitramfs, findKernel } from '@multiverse-os/image';
import { QemuMachine } from '@multiverse-os/qmp/machine';
import { GUEST_CONFIG_DIR, routerGuestFiles } from '@multiverse-os-examples/router';
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
  /** The controller's domain name in the plan. */
  name: string;
  role: 'router-controller' | 'user-controller';
  machine: QemuMachine;
  status: unknown;
  /** Everything read from the console. */
  console: string;
}

/**
 * Typed into the guest's shell until it answers. Ctrl-C first: a probe typed while the guest
 * was still booting can reach the shell cut short (an open quote or `$(`), which leaves ash
 * waiting for the rest of the command forever; ^C throws that partial input away. The quotes
 * split the marker so the shell's echo of the typed line does not match PROBE_REPLY.
 */
const PROBE = '\x03echo "mv""-console-ok $(hostname) $(cat /proc/sys/net/ipv4/ip_forward)"\n';
const PROBE_REPLY = /mv-console-ok (\S+) (\d)/;

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

type Controller = InstallPlan['domains'][number] & { role: DirectResult['role'] };

/** What each controller's tiny image holds and runs at boot. */
function controllerImage(plan: InstallPlan, controller: Controller) {
  if (controller.role === 'user-controller') {
    return { files: [], init: 'echo "user-controller: ready"' };
  }
  const files = plan.networkPlan.routers.flatMap((router) =>
    routerGuestFiles(plan.networkPlan, router).map((file) => ({
      path: `/etc/multiverse/routers/${router.name}/${file.name}`,
      content: file.content,
      mode: file.mode ?? 0o644,
    })),
  );
  const init = [
    // The router controller keeps the configurations its routers will boot with.
    `ls /etc/multiverse/routers > /run/routers`,
    `mkdir -p ${GUEST_CONFIG_DIR}`,
    'echo 1 > /proc/sys/net/ipv4/ip_forward',
    "echo \"router-controller: ready, routers: $(cat /run/routers | tr '\\n' ' ')\"",
  ].join('\n');
  return { files, init };
}

/**
 * Starts one controller without libvirt: builds its tiny image with `@multiverse-os/image`,
 * copies kernel and image into `<storage root>/base-images/tiny`, compiles its formula with
 * `toQemuArgs` (TCG, no disks, no bridges), starts QEMU through
 * `@multiverse-os/qmp` and waits until its shell answers on the console socket.
 */
async function startController(
  plan: InstallPlan,
  controller: Controller,
  options: DirectOptions,
): Promise<DirectResult> {
  const log = options.log ?? (() => {});
  const progress = new Progress(`${controller.role} image`, 4, options.out);
  const kernel = findKernel();
  progress.step(`kernel ${kernel.release}`);
  const { files, init } = controllerImage(plan, controller);
  const image = await buildInitramfs({
    kernel,
    files,
    init,
    hostname: controller.name,
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
  // The direct path runs unprivileged on any host: no disks (the tiny image is the whole
  // system), no bridges (only libvirt makes them), no vhost-vsock (the host may have none:
  // the agent moves to virtio-serial) and no host folders beyond the portal's own share.
  const runnable = {
    ...controller.formula,
    disks: [],
    networks: [],
    shares: { ...controller.formula.shares, folders: [] },
    devices: controller.formula.devices.filter((device) => !device.vsock),
    agent: { ...controller.formula.agent, transport: 'virtio-serial' as const },
  };
  // QEMU refuses a 9p export whose folder is missing; apply would have made it.
  for (const folder of hostFolders(runnable)) await mkdir(folder.source, { recursive: true });
  const command = toQemuArgs(runnable, {
    runDir,
    kernel: kernelCopy,
    initrd: initrdCopy,
    cmdline: 'console=ttyS0',
    accelerator: 'tcg',
  });
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
    log(
      `${controller.name}: console reached on ${command.consoleSocket} (hostname=${reply[1]}, ip_forward=${reply[2]})`,
    );
    return { name: controller.name, role: controller.role, machine, status, console: text };
  } catch (error) {
    await machine.kill().catch(() => undefined);
    throw error;
  }
}

function isController(domain: InstallPlan['domains'][number]): domain is Controller {
  return domain.role === 'router-controller' || domain.role === 'user-controller';
}

/**
 * The direct path, without libvirt: starts every controller of the plan (the router
 * controller first, then the user controller) and reaches each one's console. Unless `keep`
 * is set, they are shut down again once all of them answered; if one fails, the ones already
 * started are killed.
 */
export async function runDirect(
  plan: InstallPlan,
  options: DirectOptions = {},
): Promise<DirectResult[]> {
  const controllers = plan.domains
    .filter(isController)
    .sort((a, b) => (a.role === b.role ? 0 : a.role === 'router-controller' ? -1 : 1));
  if (!controllers.some((c) => c.role === 'router-controller')) {
    throw new InstallerError('DIRECT_FAILED', 'the plan has no router controller');
  }
  const started: DirectResult[] = [];
  try {
    for (const controller of controllers)
      started.push(await startController(plan, controller, options));
  } catch (error) {
    for (const result of started) await result.machine.kill().catch(() => undefined);
    throw error;
  }
  if (!options.keep) {
    for (const result of started) await result.machine.shutdown({ powerdownTimeout: 0 });
  }
  return started;
}
