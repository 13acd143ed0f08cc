import { readFile } from 'node:fs/promises';
import os from 'node:os';
import type { Result } from '../../protocol/methods.js';

async function readOr(path: string, fallback = ''): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return fallback;
  }
}

function osName(osRelease: string): string {
  const pretty = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(osRelease)?.[1];
  return pretty ?? 'Linux';
}

/** The system profile: what the portal is running on, from os and /proc. */
export async function systemProfile(): Promise<Result<'profile'>> {
  const [osRelease, partitions, mounts] = await Promise.all([
    readOr('/etc/os-release'),
    readOr('/proc/partitions'),
    readOr('/proc/mounts'),
  ]);
  const disks = partitions
    .split('\n')
    .slice(2)
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => f.length === 4 && !/\d$/.test(f[3] ?? '') && f[3] !== undefined)
    .map((f) => ({ name: f[3] ?? '', bytes: Number(f[2]) * 1024 }));
  const interfaces = Object.entries(os.networkInterfaces()).flatMap(([name, addresses]) =>
    (addresses ?? []).map((a) => ({ name, address: a.address, family: a.family, mac: a.mac })),
  );
  const [l1 = 0, l5 = 0, l15 = 0] = os.loadavg();
  return {
    hostname: os.hostname(),
    os: { name: osName(osRelease), release: os.release(), kernel: os.version() },
    arch: os.arch(),
    cpus: os.cpus().map((c) => ({ model: c.model, mhz: c.speed })),
    memory: { total: os.totalmem(), free: os.freemem() },
    disks,
    mounts: mounts
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split(' '))
      .map(([source = '', target = '', type = '']) => ({ source, target, type })),
    interfaces,
    uptime: os.uptime(),
    load: [l1, l5, l15],
    node: process.version,
  };
}
