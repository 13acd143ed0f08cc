import { methods } from '../../protocol/methods.js';
import type { RpcPeer } from '../../rpc/peer.js';
import { bestSample, type Clock, chooseAction, type TimeSample } from '../clock.js';

const SAMPLES = 4;

/**
 * The agent's side of a heartbeat: it asks the host for its time a few times (four timestamps
 * each), keeps the sample with the shortest round trip, and steps or slews its clock when the
 * offset passes the thresholds.
 */
export async function measureAndCorrect(
  peer: RpcPeer,
  clock: Clock,
  thresholds: { stepMs: number; slewMs: number },
  signal: AbortSignal,
) {
  const samples: TimeSample[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const t1 = clock.now();
    const reply = methods['time.now'].result.parse(
      await peer.request('time.now', { t1 }, { signal, timeout: 10_000 }),
    );
    const t4 = clock.now();
    samples.push({ t1, t2: reply.t2, t3: reply.t3, t4 });
  }
  const { offsetMs, delayMs } = bestSample(samples);
  const action = chooseAction(offsetMs, thresholds);
  try {
    if (action === 'step') await clock.step(offsetMs);
    if (action === 'slew') await clock.slew(offsetMs);
  } catch (error) {
    return { offsetMs, delayMs, action: 'failed' as const, detail: (error as Error).message };
  }
  return { offsetMs, delayMs, action };
}

/** The host's side: stamp receive and send times. */
export function serveTimeNow(now: () => number) {
  return async (params: unknown) => {
    const t2 = now();
    const { t1 } = methods['time.now'].params.parse(params);
    return { t1, t2, t3: now() };
  };
}
