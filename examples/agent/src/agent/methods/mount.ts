import { spawn } from 'node:child_process';
import { closeSync } from 'node:fs';
import { appendFile, mkdir } from 'node:fs/promises';
import { connectAsync } from '@multiverse-os/vsock';
import { MethodError } from '../../errors.js';
import type { ParsedParams, Result } from '../../protocol/methods.js';
import { type MountSource, ninePMount } from './mount-args.js';

const MOUNT_TIMEOUT = 60_000;
const CONNECT_TIMEOUT = 10_000;

/** Runs mount(8); `fd` becomes the child's fd 3 (trans=fd,rfdno=3,wfdno=3). */
function runMount(args: string[], fd?: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const stdio: ('ignore' | 'pipe' | number)[] = ['ignore', 'ignore', 'pipe'];
    if (fd !== undefined) stdio.push(fd);
    const child = spawn('mount', args, { stdio, timeout: MOUNT_TIMEOUT });
    let stderr = '';
    child.stderr?.on('data', (chunk) => {
      if (stderr.length < 4096) stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(stderr.trim() || `mount exited with ${signal ?? `status ${code}`}`));
    });
  });
}

/**
 * Connects to the 9P server over vsock and hands the connection to mount: the kernel's 9p
 * client keeps its own reference, so ours is closed whatever mount did.
 */
async function mountOverVsock(
  source: Extract<MountSource, { kind: 'vsock' }>,
  args: string[],
): Promise<void> {
  // pauseOnConnect: nothing is read into the stream, so every byte is the kernel's.
  const socket = await connectAsync({
    cid: source.cid,
    port: source.port,
    timeout: CONNECT_TIMEOUT,
    pauseOnConnect: true,
  });
  let fd: number;
  try {
    fd = socket.releaseFd();
  } catch (error) {
    socket.destroy();
    throw error;
  }
  try {
    await runMount(args, fd);
  } finally {
    closeSync(fd);
  }
}

export async function mountShare(
  params: ParsedParams<'mount'>,
  fstabPath = '/etc/fstab',
): Promise<Result<'mount'>> {
  const { source, args, fstabLine, writeFstab } = ninePMount(params);
  await mkdir(params.mountPoint, { recursive: true });
  try {
    if (source.kind === 'vsock') await mountOverVsock(source, args);
    else await runMount(args);
  } catch (error) {
    throw new MethodError('INTERNAL', `mount ${params.source}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (writeFstab && fstabLine !== null) await appendFile(fstabPath, `${fstabLine}\n`);
  return { fstabLine };
}
