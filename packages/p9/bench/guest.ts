import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bootGuest, buildInitramfs } from '@multiverse-os/image';
import { type CeilingListeners, ceilingScript, startCeilingListeners } from './ceiling.js';
import { benchScript, type GuestPlan, type GuestTarget, mark, runLabel } from './guest-script.js';

export type { GuestPlan, GuestTarget } from './guest-script.js';

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

/** Every `BENCH label mark uptime` line of the guest's output, by `label mark`. */
function marks(output: string): Map<string, number> {
  const at = new Map<string, number>();
  for (const m of output.matchAll(/BENCH (\S+) (\S+) ([\d.]+)/g)) {
    if (m[1] && m[2] && m[3]) at.set(`${m[1]} ${m[2]}`, Number(m[3]));
  }
  return at;
}

/** Seconds between `label k0` and `label k1`; a missing mark or a failed mount throws. */
function span(at: Map<string, number>, label: string, k: string): number {
  const server = label.split('.')[0];
  if (at.has(`${server} mount-failed`)) throw new Error(`guest bench: mounting ${server} failed`);
  const a = at.get(`${label} ${k}0`);
  const b = at.get(`${label} ${k}1`);
  if (a === undefined || b === undefined)
    throw new Error(`guest bench: no ${k} timing for ${label}`);
  return Math.max(b - a, 0.01);
}

/**
 * One server's figures. dd: the best of its runs (long runs; whatever else the machine does only
 * slows one down). Per-file steps: everything it handled over the time all its chunks took.
 */
function timings(at: Map<string, number>, name: string, plan: GuestPlan): GuestTimings {
  const rounds = (n: number) => Array.from({ length: n }, (_, r) => runLabel(name, r));
  const dd = rounds(plan.ddRuns);
  const total = (k: string, n: number) => rounds(n).reduce((s, l) => s + span(at, l, k), 0);
  const files = Math.ceil(plan.files / plan.chunks) * plan.chunks;
  const result: GuestTimings = {
    writeMBps: Math.max(...dd.map((l) => plan.mb / span(at, l, 'w'))),
    readMBps: Math.max(...dd.map((l) => plan.mb / span(at, l, 'r'))),
    createPerSec: files / total('c', plan.chunks),
    statPerSec: files / total('s', plan.chunks),
    unlinkPerSec: files / total('u', plan.chunks),
    lsPerSec: (files * plan.lsRuns) / total('l', plan.lsRuns),
  };
  // On stderr, so a reader can see how far the runs and chunks spread.
  const list = (k: string, n: number, count: number) =>
    rounds(n)
      .map((l) => (count / span(at, l, k)).toFixed(0))
      .join(' ');
  const chunk = files / plan.chunks;
  console.error(
    `p9 guest ${name}: dd write MB/s ${list('w', plan.ddRuns, plan.mb)}; read ${list('r', plan.ddRuns, plan.mb)}; ` +
      `per chunk of ${chunk}, create/s ${list('c', plan.chunks, chunk)}; stat/s ${list('s', plan.chunks, chunk)}; ` +
      `unlink/s ${list('u', plan.chunks, chunk)}; ls -l entries/s ${list('l', plan.lsRuns, files)}`,
  );
  return result;
}

/** Raw transfers per boot: one before the 9P runs and one after them. */
const CEILING_RUNS = 2;

/**
 * Boots one guest that measures the raw transport ceiling (same byte count), runs the plan
 * against every target in turns (see GuestPlan), then measures the ceiling again. The ceiling
 * is the faster of the two raw runs in each direction: a slow patch of the host during one of
 * them would otherwise lower the bar for both servers (in one run the raw transfer came out at
 * 52.7 MB/s against 64-79 in the others, and the write ratio at 1.11).
 */
export async function guestBench(targets: GuestTarget[], plan: GuestPlan): Promise<GuestResults> {
  if (targets.length === 0) throw new Error('guest bench: no targets');
  const bytes = plan.mb * 1024 * 1024;
  const listeners: CeilingListeners[] = [];
  try {
    for (let i = 0; i < CEILING_RUNS; i++) listeners.push(await startCeilingListeners(bytes));
    const [before, after] = listeners.map(
      (l, i) => `N=${runLabel('raw', i)}${ceilingScript(l, bytes, mark)}`,
    );
    const initramfs = await buildInitramfs({
      modules: ['9p', '9pnet', '9pnet_fd', 'virtio_net'],
      executables: ['/usr/bin/socat'],
      init: `${before}\n${benchScript(targets, plan)}\n${after}\necho BENCH-DONE\n`,
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
    const missing = out.match(/BENCH-MISSING (\S+)/);
    if (missing) throw new Error(`guest bench: a file created on ${missing[1]} was missing`);
    const at = marks(out);
    for (const l of listeners) {
      l.close(); // a listener nobody connected to now rejects instead of waiting
      await l.moved(); // the host counted `bytes` each way, or this throws
    }
    const rates = (k: string) => listeners.map((_, i) => plan.mb / span(at, runLabel('raw', i), k));
    const down = rates('h');
    const up = rates('g');
    const shown = (v: number[]) => v.map((r) => r.toFixed(1)).join(' ');
    console.error(`p9 guest raw TCP MB/s: host->guest ${shown(down)}; guest->host ${shown(up)}`);
    return {
      servers: new Map(targets.map((x) => [x.name, timings(at, x.name, plan)])),
      ceiling: {
        hostToGuestMBps: Math.max(...down),
        guestToHostMBps: Math.max(...up),
      },
    };
  } finally {
    for (const l of listeners) l.close();
  }
}

export function tempExport(prefix: string): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
