// Memory bound of a large exec: the agent and the client (both in this process, joined by an
// in-memory pipe with TLS) stream N bytes of output; the process's resident memory (after GC)
// must grow by less than 32 MB for 1 GiB (needs --expose-gc).
// Baseline in the same run: the same output read straight from a child process, no agent.
import { spawn } from 'node:child_process';
import { reportBenchResult } from '../../../scripts/bench-result.mjs';
import { serveAgent } from '../src/agent/agent.js';
import { AgentConfigSchema } from '../src/agent/config.js';
import { AgentClient } from '../src/client/client.js';
import { generateIdentity } from '../src/tls/identity.js';
import { duplexPair } from '../test/helpers.js';

const BYTES = Number(process.env.MULTIVERSE_AGENT_BENCH_BYTES ?? 1024 ** 3);
const MB = 1024 * 1024;
const exposedGc = (globalThis as { gc?: () => void }).gc;
if (!exposedGc) throw new Error('run with node --expose-gc (the bench script does)');
const gc: () => void = exposedGc;

/**
 * Memory the process holds right after a full GC: its resident set. This is what "memory
 * grows" means to the machine, and it counts what the JS-side numbers cannot see (OpenSSL's
 * and libuv's own allocations); it is conservative, since freed pages are not always returned
 * to the system at once. `process.memoryUsage().external` was used before and is not a
 * measure of held memory: V8's external-memory accounting lags behind freed backing stores
 * and rose by up to 30 MB while reading the child directly, with no agent involved.
 */
function residentAfterGc(): number {
  gc();
  return process.memoryUsage().rss;
}

/** Peak resident growth (MB, sampled after a full GC every 100 ms) and throughput (MB/s). */
async function measure(body: () => Promise<number>): Promise<{ growthMB: number; mbps: number }> {
  const start = residentAfterGc();
  let peak = start;
  const sampler = setInterval(() => {
    peak = Math.max(peak, residentAfterGc());
  }, 100);
  const t0 = performance.now();
  const bytes = await body();
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, residentAfterGc());
  if (bytes !== BYTES) throw new Error(`moved ${bytes} bytes, expected ${BYTES}`);
  return { growthMB: (peak - start) / MB, mbps: bytes / MB / seconds };
}

const args = (bytes: number) => ['-c', String(bytes), '/dev/zero'];

async function readDirect(size: number): Promise<number> {
  const child = spawn('head', args(size), { stdio: ['ignore', 'pipe', 'ignore'] });
  let bytes = 0;
  for await (const chunk of child.stdout) bytes += (chunk as Buffer).length;
  return bytes;
}

// Warm-up runs first (JIT, lazily loaded modules, TLS and stream buffers reach their size),
// so the measured growth is what moving more bytes costs.
const WARM_UP = 32 * MB;
await readDirect(WARM_UP);
const direct = await measure(() => readDirect(BYTES));

const [host, portal] = await Promise.all([generateIdentity('host'), generateIdentity('portal')]);
const config = AgentConfigSchema.parse({ identity: portal, hostCert: host.cert, allow: ['exec'] });
const [a, b] = duplexPair();
const [, client] = await Promise.all([
  serveAgent(b, config, { log: () => {} }),
  AgentClient.connect(a, { identity: host, portalCert: portal.cert }),
]);
async function readThroughAgent(size: number): Promise<number> {
  const call = client.exec({ command: 'head', args: args(size) });
  let bytes = 0;
  for await (const chunk of call.stdout) bytes += chunk.length;
  await call.result;
  return bytes;
}
await readThroughAgent(WARM_UP);
const agent = await measure(() => readThroughAgent(BYTES));
client.close();

const size = `${(BYTES / MB).toFixed(0)} MiB`;
const results = [
  {
    metric: `exec-${size.replace(' ', '')}-resident-memory-growth`,
    value: Number(agent.growthMB.toFixed(1)),
    unit: 'MB',
    baseline: Number(direct.growthMB.toFixed(1)),
    baselineName: 'the same output read from the child directly',
    ratio: Number((agent.growthMB / Math.max(direct.growthMB, 1)).toFixed(2)),
    goal: '< 32 MB for 1 GiB (agent and client together)',
    pass: agent.growthMB < 32,
  },
  {
    metric: 'exec-throughput',
    value: Number(agent.mbps.toFixed(1)),
    unit: 'MB/s',
    baseline: Number(direct.mbps.toFixed(1)),
    baselineName: 'the same output read from the child directly',
    ratio: Number((agent.mbps / direct.mbps).toFixed(3)),
    goal: 'informational (TLS + CBOR frames + credit)',
    pass: true,
  },
];
for (const result of results) {
  reportBenchResult({ package: '@multiverse-os-examples/agent', ...result });
}
