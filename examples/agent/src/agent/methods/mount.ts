import { execFile } from 'node:child_process';
import { appendFile, mkdir } from 'node:fs/promises';
import { promisify } from 'node:util';
import { MethodError } from '../../errors.js';
import type { ParsedParams, Result } from '../../protocol/methods.js';

const run = promisify(execFile);

/** `mount` arguments and the fstab line for a 9P share: over TCP, or virtio-9p by tag. */
export function ninePMount(params: ParsedParams<'mount'>): { args: string[]; fstabLine: string } {
  const tcp = /^tcp:([^:]+):([0-9]+)$/.exec(params.source);
  const options = ['version=9p2000.L', 'msize=262144'];
  let device: string;
  if (tcp) {
    device = tcp[1] ?? '';
    options.unshift('trans=tcp', `port=${tcp[2]}`);
  } else if (/^[A-Za-z0-9_.-]{1,31}$/.test(params.source)) {
    device = params.source;
    options.unshift('trans=virtio');
  } else {
    throw new MethodError('SCHEMA', `mount source ${params.source}: tcp:HOST:PORT or a 9p tag`);
  }
  if (params.aname !== undefined) options.push(`aname=${params.aname}`);
  const joined = options.join(',');
  return {
    args: ['-t', '9p', '-o', joined, device, params.mountPoint],
    fstabLine: `${device}\t${params.mountPoint}\t9p\t${joined},nofail\t0\t0`,
  };
}

export async function mountShare(
  params: ParsedParams<'mount'>,
  fstabPath = '/etc/fstab',
): Promise<Result<'mount'>> {
  const { args, fstabLine } = ninePMount(params);
  await mkdir(params.mountPoint, { recursive: true });
  try {
    await run('mount', args, { timeout: 60_000 });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new MethodError(
      'INTERNAL',
      `mount ${params.source}: ${stderr.trim() || (error as Error).message}`,
    );
  }
  if (params.fstab) await appendFile(fstabPath, `${fstabLine}\n`);
  return { fstabLine };
}
