import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

/** The guest clock as the agent sees and corrects it (a fake in unit tests). */
export interface Clock {
  /** Milliseconds since the epoch, with sub-millisecond precision. */
  now(): number;
  /** Jump the clock by `offsetMs`. */
  step(offsetMs: number): Promise<void>;
  /** Ask the kernel to slew the clock by `offsetMs` gradually. */
  slew(offsetMs: number): Promise<void>;
}

const run = promisify(execFile);

/**
 * The system clock, corrected with busybox/util-linux tools instead of raw syscalls (Node has
 * no settimeofday): `date -s @SECONDS` steps (second resolution, the tool's limit), `adjtimex
 * -o MICROSECONDS` hands the kernel an offset to slew away (ADJ_OFFSET).
 */
export const systemClock: Clock = {
  now: () => performance.timeOrigin + performance.now(),
  async step(offsetMs) {
    const target = Math.round((Date.now() + offsetMs) / 1000);
    await run('date', ['-u', '-s', `@${target}`]);
  },
  async slew(offsetMs) {
    await run('adjtimex', ['-o', String(Math.round(offsetMs * 1000))]);
  },
};

/** One exchange: t1 agent send, t2 host receive, t3 host send, t4 agent receive. */
export interface TimeSample {
  t1: number;
  t2: number;
  t3: number;
  t4: number;
}

/** NTP's on-wire formulas: offset = host - guest, delay = round trip minus host time. */
export function offsetAndDelay(sample: TimeSample): { offsetMs: number; delayMs: number } {
  const { t1, t2, t3, t4 } = sample;
  return { offsetMs: (t2 - t1 + (t3 - t4)) / 2, delayMs: t4 - t1 - (t3 - t2) };
}

/** NTP's clock filter in small: of several samples, trust the one with the shortest delay. */
export function bestSample(samples: readonly TimeSample[]): { offsetMs: number; delayMs: number } {
  let best: { offsetMs: number; delayMs: number } | undefined;
  for (const sample of samples) {
    const measured = offsetAndDelay(sample);
    if (!best || measured.delayMs < best.delayMs) best = measured;
  }
  if (!best) throw new Error('no time samples');
  return best;
}

export type ClockAction = 'none' | 'slew' | 'step';

export function chooseAction(
  offsetMs: number,
  thresholds: { stepMs: number; slewMs: number },
): ClockAction {
  const drift = Math.abs(offsetMs);
  if (drift >= thresholds.stepMs) return 'step';
  if (drift >= thresholds.slewMs) return 'slew';
  return 'none';
}
