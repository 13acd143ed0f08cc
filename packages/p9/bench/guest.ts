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

/** How many runs of each kind: the short per-file runs are repeated more than the dd runs. */
export interface GuestRounds {
  dd: number;
  files: number;
}

function script(targets: GuestTarget[], mb: number, files: number, rounds: GuestRounds): string {
  const t = mark;
  return runOrder(targets, Math.max(rounds.dd, rounds.files))
    .map(({ target: x, label }) => {
      const round = Number(label.split('.').pop());
      const dd =
        round < rounds.dd
          ? `${t('w0')}; dd if=/dev/zero of=big bs=1M count=${mb} conv=fsync 2>/dev/null; ${t('w1')}
${t('r0')}; dd if=big of=/dev/null bs=1M 2>/dev/null; ${t('r1')}
rm -f big`
          : '';
      return `
N=${label}
mkdir -p /mnt/$N
mount -t 9p -o trans=tcp,port=${x.port},version=9p2000.L,msize=1048576,aname=${x.aname} 10.0.2.2 /mnt/$N || echo "BENCH $N mount-failed 0"
cd /mnt/$N
${dd}
mkdir many; cd many
${t('c0')}; i=0; while [ $i -lt ${files} ]; do : > f$i; i=$((i+1)); done; ${t('c1')}
${t('s0')}; i=0; while [ $i -lt ${files} ]; do [ -e f$i ] || echo missing; i=$((i+1)); done; ${t('s1')}
${t('l0')}; ls -l > /dev/null; ${t('l1')}
cd ..
${t('u0')}; rm -rf many; ${t('u1')}
cd /; umount /mnt/$N`;
    })
    .join('\n')
    .concat('\necho BENCH-DONE\n');
}

/**
 * Seconds between the `BENCH name k0` and `BENCH name k1` marks of the guest's output, or
 * undefined when the run had no such step (`optional`).
 */
function spans(
  output: string,
  name: string,
): (k: string, optional?: boolean) => number | undefined {
  const at = new Map<string, number>();
  for (const m of output.matchAll(/BENCH (\S+) (\S+) ([\d.]+)/g)) {
    if (m[1] === name && m[2] && m[3]) at.set(m[2], Number(m[3]));
  }
  return (k: string, optional = false) => {
    if (at.has(`${k}-failed`)) throw new Error(`guest bench: ${name} ${k} failed in the guest`);
    const a = at.get(`${k}0`);
    const b = at.get(`${k}1`);
    if ((a === undefined || b === undefined) && optional) return undefined;
    if (a === undefined || b === undefined)
      throw new Error(`guest bench: no ${k} timing for ${name}`);
    return Math.max(b - a, 0.01);
  };
}

function parse(output: string, label: string, mb: number, files: number): Partial<GuestTimings> {
  const span = spans(output, label);
  const per = (n: number, k: string, optional = false) => {
    const seconds = span(k, optional);
    return seconds === undefined ? undefined : n / seconds;
  };
  return {
    writeMBps: per(mb, 'w', true),
    readMBps: per(mb, 'r', true),
    createPerSec: per(files, 'c'),
    statPerSec: per(files, 's'),
    unlinkPerSec: per(files, 'u'),
    lsPerSec: per(files, 'l'),
  };
}

/** One run's figures on one line. */
function describeRun(r: Partial<GuestTimings>): string {
  return Object.entries(r)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k} ${(v as number).toFixed(1)}`)
    .join(', ');
}

/**
 * Each row's best run. The guest shares two cores with QEMU's own threads, and whatever else
 * the host runs only ever slows a run down, so the best of interleaved runs is the steadiest
 * figure, the same rule for every server (the loopback rows do the same).
 */
export function bestOf(runs: Partial<GuestTimings>[]): GuestTimings {
  const best = (k: keyof GuestTimings): number => {
    const values = runs.map((r) => r[k]).filter((v): v is number => v !== undefined);
    if (values.length === 0) throw new Error(`guest bench: no run measured ${k}`);
    return Math.max(...values);
  };
  return {
    writeMBps: best('writeMBps'),
    readMBps: best('readMBps'),
    createPerSec: best('createPerSec'),
    statPerSec: best('statPerSec'),
    unlinkPerSec: best('unlinkPerSec'),
    lsPerSec: best('lsPerSec'),
  };
}

/**
 * Boots one guest that first measures the raw transport ceiling (same byte count), then runs
 * the same workload against every target in alternating order (A B B A ...): the per-file
 * steps `rounds.files` times, the dd steps in the first `rounds.dd` of those runs.
 */
export async function guestBench(
  targets: GuestTarget[],
  mb: number,
  files: number,
  rounds: GuestRounds = { dd: 2, files: 4 },
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
          const runs = runOrder([x], Math.max(rounds.dd, rounds.files)).map(({ label }) =>
            parse(out, label, mb, files),
          );
          // Every run on stderr, so a reader can see how far the runs spread.
          runs.forEach((r, i) => console.error(`p9 guest run ${x.name}.${i}: ${describeRun(r)}`));
          return [x.name, bestOf(runs)];
        }),
      ),
      ceiling: { hostToGuestMBps: mb / (raw('h') ?? 0), guestToHostMBps: mb / (raw('g') ?? 0) },
    };
  } finally {
    listeners.close();
  }
}

export function tempExport(prefix: string): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
