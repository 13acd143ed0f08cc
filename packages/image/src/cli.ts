#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ImageError } from './errors.js';
import { bootGuest } from './guest/boot.js';
import { type BuildInitramfsOptions, buildInitramfs } from './initramfs/build.js';
import type { AfterInit } from './initramfs/init-script.js';
import { OS_IMAGE_USAGE, runOsImageCommand } from './os-image/commands.js';

const USAGE = `Usage:
${OS_IMAGE_USAGE}

Tiny guests (busybox initramfs from the host's kernel):
  mv-image initramfs [options]   build an initramfs and print its path
  mv-image boot      [options]   build it, boot it, and attach the console (Ctrl-] leaves)

Initramfs options (mv-image build with any of them still builds an initramfs):
  --module NAME       kernel module to load (repeat; dependencies are added)
  --node              include Node.js
  --exec PATH         include a host executable with its libraries (repeat)
  --file GUEST=HOST   copy a host file into the guest (repeat)
  --init FILE         shell script run by /init
  --after MODE        poweroff | shell | hang (default: poweroff for build, shell for boot)
  --memory MIB        guest memory for boot (default 512)
  --accel tcg|kvm     accelerator for boot (default tcg)
  --network           QEMU user networking for boot
  --help`;

function fail(message: string): never {
  process.stderr.write(`mv-image: ${message}\n`);
  process.exit(2);
}

const INITRAMFS_FLAGS = /^--(module|node|exec|file|init|after)(=|$)/;
const OS_IMAGE_COMMANDS = new Set(['build', 'list', 'prune', 'fetch', 'plan']);

async function main(argv: string[]): Promise<void> {
  const first = argv.find((arg) => !arg.startsWith('-'));
  const initramfsBuild = first === 'build' && argv.some((arg) => INITRAMFS_FLAGS.test(arg));
  if (first !== undefined && OS_IMAGE_COMMANDS.has(first) && !initramfsBuild) {
    const rest = [...argv];
    rest.splice(rest.indexOf(first), 1);
    process.exitCode = await runOsImageCommand(first, rest, {
      stdout: process.stdout,
      stderr: process.stderr,
    });
    return;
  }
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      module: { type: 'string', multiple: true },
      node: { type: 'boolean' },
      exec: { type: 'string', multiple: true },
      file: { type: 'string', multiple: true },
      init: { type: 'string' },
      after: { type: 'string' },
      memory: { type: 'string' },
      accel: { type: 'string' },
      network: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const command = positionals[0];
  if (values.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (command !== 'initramfs' && command !== 'build' && command !== 'boot') {
    fail(`unknown command "${command}"\n${USAGE}`);
  }

  const after = (values.after ?? (command === 'boot' ? 'shell' : 'poweroff')) as AfterInit;
  if (!['poweroff', 'shell', 'hang'].includes(after)) fail(`--after: unknown mode "${after}"`);
  const options: BuildInitramfsOptions = {
    modules: values.module ?? [],
    node: values.node ?? false,
    executables: values.exec ?? [],
    files: (values.file ?? []).map((spec) => {
      const [path, source] = spec.split('=');
      if (!path || !source) fail(`--file: expected GUEST=HOST, got "${spec}"`);
      return { path, source };
    }),
    after,
    ...(values.init ? { init: readFileSync(values.init, 'utf8') } : {}),
  };
  if (values.network) options.modules = [...(options.modules ?? []), 'virtio_net'];
  const initramfs = await buildInitramfs(options);
  if (command !== 'boot') {
    process.stdout.write(`${initramfs.path}\n`);
    return;
  }

  const accel = values.accel ?? 'tcg';
  if (accel !== 'tcg' && accel !== 'kvm') fail(`--accel: expected tcg or kvm, got "${accel}"`);
  const guest = await bootGuest({
    initramfs,
    accel,
    network: values.network ?? false,
    ...(values.memory ? { memory: Number(values.memory) } : {}),
  });
  process.stderr.write('mv-image: console attached; press Ctrl-] to leave\n');
  const stdin = process.stdin;
  const isTerminal = stdin.isTTY;
  if (isTerminal) stdin.setRawMode(true);
  const restore = () => {
    if (isTerminal) stdin.setRawMode(false);
    stdin.pause();
  };
  guest.console.pipe(process.stdout);
  stdin.on('data', (chunk: Buffer) => {
    const detachAt = chunk.indexOf(0x1d);
    if (detachAt >= 0) {
      if (detachAt > 0) guest.write(chunk.subarray(0, detachAt));
      void guest.stop();
      return;
    }
    guest.write(chunk);
  });
  stdin.resume();
  const exit = await guest.exited;
  restore();
  await guest.stop();
  process.stderr.write(`\nmv-image: guest stopped (${exit.signal ?? `status ${exit.code}`})\n`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof ImageError) fail(`${error.code}: ${error.message}`);
  // node:util parseArgs: an unknown or malformed option is a usage error, not a crash.
  const code = (error as NodeJS.ErrnoException).code;
  if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
    fail(`${(error as Error).message}\nrun mv-image --help`);
  }
  throw error;
});
