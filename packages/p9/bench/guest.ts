import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootGuest, buildInitramfs } from '@multiverse-os/image';
import { ceilingScript, startCeilingListeners } from './ceiling.js';

/** One server under test as the guest sees it. */
export interface GuestTarget {
  name: string;
  port: number;
  aname: string;
}

export interface GuestTimings {
  writeMBps: number;
  readMBps: number;
  createPerSec: number;
  statPerSec: number;
  unlinkPerSec: number;
  lsPerSec: number;
}

/** Raw TCP through the same user networking: what no 9P server can beat. */
export interface TransportCeiling {
  hostToGuestMBps: number;
  guestToHostMBps: number;
}

export interface GuestResults {
  servers: Map<string, GuestTimings>;
  ceiling: TransportCeiling;
}

const mark = (label: string) => `echo "BENCH $N ${label} $(cut -d' ' -f1 /proc/uptime)"`;

/**
 * The runs in order: A B B A for two targets (each round reverses the previous one), so neither
 * server always goes first, and each gets `rounds` runs spread over the boot.
 */
export function runOrder(
  targets: GuestTarget[],
  rounds: number,
): { target: GuestTarget; label: string }[] {
  const out: { target: GuestTarget; label: string }[] = [];
  for (let r = 0; r < rounds; r++) {
    const round = r % 2 === 0 ? targets : [...targets].reverse();
    for (const target of round) out.push({ target, label: `${target.name}.${r}` });
  }
  return out;
}

function script(targets: GuestTarget[], mb: number, files: number, rounds: number): string {
  const t = mark;
  return runOrder(targets, rounds)
    .map(
      ({ target: x, label }) => `
N=${label}
mkdir -p /mnt/$N
mount -t 9p -o trans=tcp,port=${x.port},version=9p2000.L,msize=1048576,aname=${x.aname} 10.0.2.2 /mnt/$N || echo "BENCH $N mount-failed 0"
cd /mnt/$N
${t('w0')}; dd if=/dev/zero of=big bs=1M count=${mb} conv=fsync 2>/dev/null; ${t('w1')}
${t('r0')}; dd if=big of=/dev/null bs=1M 2>/dev/null; ${t('r1')}
rm -f big; mkdir many; cd many
${t('c0')}; i=0; while [ $i -lt ${files} ]; do : > f$i; i=$((i+1)); done; ${t('c1')}
${t('s0')}; i=0; while [ $i -lt ${files} ]; do [ -e f$i ] || echo missing; i=$((i+1)); done; ${t('s1')}
${t('l0')}; ls -l > /dev/null; ${t('l1')}
cd ..
${t('u0')}; rm -rf many; ${t('u1')}
cd /; umount /mnt/$N`,
    )
    .join('\n')
    .concat('\necho BENCH-DONE\n');
}

/** Seconds between the `BENCH name k0` and `BENCH name k1` marks of the guest's output. */
function spans(output: string, name: string): (k: string) => number {
  const at = new Map<string, number>();
  for (const m of output.matchAll(/BENCH (\S+) (\S+) ([\d.]+)/g)) {
    if (m[1] === name && m[2] && m[3]) at.set(m[2], Number(m[3]));
  }
  return (k: string) => {
    if (at.has(`${k}-failed`)) throw new Error(`guest bench: ${name} ${k} failed in the guest`);
    const a = at.get(`${k}0`);
    const b = at.get(`${k}1`);
    if (a === undefined || b === undefined)
      throw new Error(`guest bench: no ${k} timing for ${name}`);
    return Math.max(b - a, 0.01);
  };
}

function parse(output: string, label: string, mb: number, files: number): GuestTimings {
  const span = spans(output, label);
  return {
    writeMBps: mb / span('w'),
    readMBps: mb / span('r'),
    createPerSec: files / span('c'),
    statPerSec: files / span('s'),
    unlinkPerSec: files / span('u'),
    lsPerSec: files / span('l'),
  };
}

/**
 * Each row's best run. The guest shares two cores with QEMU's own threads, and whatever else
 * the host runs only ever slows a run down, so the best of interleaved runs is the steadiest
 * figure, the same rule for every server (the loopback rows do the same).
 */
export function bestOf(runs: GuestTimings[]): GuestTimings {
  const first = runs[0];
  if (!first) throw new Error('guest bench: no runs');
  const best = { ...first };
  for (const r of runs) {
    for (const k of Object.keys(best) as (keyof GuestTimings)[]) best[k] = Math.max(best[k], r[k]);
  }
  return best;
}

/**
 * Boots one guest that first measures the raw transport ceiling (same byte count), then runs
 * the same workload against every target, `rounds` times in alternating order (A B B A).
 */
export async function guestBench(
  targets: GuestTarget[],
  mb: number,
  files: number,
  rounds = 2,
): Promise<GuestResults> {
  const bytes = mb * 1024 * 1024;
  const listeners = await startCeilingListeners(bytes);
  try {
    const initramfs = await buildInitramfs({
      modules: ['9p', '9pnet', '9pnet_fd', 'virtio_net'],
      executables: ['/usr/bin/socat'],
      init: `N=raw${ceilingScript(listeners, bytes, mark)}\n${script(targets, mb, files, rounds)}`,
      after: 'poweroff',
    });
    const guest = await bootGuest({ initramfs, network: true, memory: 512, timeout: 900_000 });
    let out: string;
    try {
      await guest.waitForOutput(/BENCH-DONE|init script exited/, { timeout: 900_000 });
      out = guest.output();
    } finally {
      await guest.stop();
    }
    const raw = spans(out, 'raw');
    listeners.close(); // a listener nobody connected to now rejects instead of waiting
    await listeners.moved(); // the host counted `bytes` each way, or this throws
    return {
      servers: new Map(
        targets.map((x) => {
          const runs = runOrder([x], rounds).map(({ label }) => parse(out, label, mb, files));
          return [x.name, bestOf(runs)];
        }),
      ),
      ceiling: { hostToGuestMBps: mb / raw('h'), guestToHostMBps: mb / raw('g') },
    };
  } finally {
    listeners.close();
  }
}

export function tempExport(prefix: string): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
