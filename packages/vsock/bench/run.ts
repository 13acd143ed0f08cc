// Benchmark, run inside a tiny guest (vsock loopback, CID 1), against peers measured in the
// same run: throughput of this package vs socat (goal >= 0.9x), and the memory of 200 idle
// connections vs 200 idle Unix-socket connections of node:net.
// Appends one JSON object per line to $MULTIVERSE_BENCH_RESULTS (or prints them).
import { join } from 'node:path';
import { bootGuest, buildInitramfs } from '@multiverse-os/image';
import { reportBenchResult } from '../../../scripts/bench-result.mjs';
import {
  bundleGuestScript,
  GUEST_ENV,
  GUEST_MODULES,
  guestFiles,
  packageDir,
} from '../test/helpers/guest-bundle.js';

const BYTES = Number(process.env.VSOCK_BENCH_BYTES ?? 128 * 1024 * 1024);

async function main(): Promise<void> {
  const script = await bundleGuestScript(join(packageDir, 'bench', 'guest-bench.ts'));
  const initramfs = await buildInitramfs({
    modules: GUEST_MODULES,
    node: true,
    executables: ['/usr/bin/socat'],
    files: guestFiles(script),
    init: `VSOCK_BENCH_BYTES=${BYTES} ${GUEST_ENV} /usr/bin/node --expose-gc /opt/vsock/script.mjs`,
  });
  const guest = await bootGuest({ initramfs, memory: 1024, timeout: 600_000 });
  try {
    await guest.waitForOutput(/VSOCK-BENCH-DONE\r?\n/, { timeout: 600_000 });
  } finally {
    await guest.stop();
  }
  const output = guest.output();
  const error = /VSOCK-BENCH-ERROR (.*)/.exec(output);
  if (error) throw new Error(`the guest benchmark failed: ${error[1]}`);
  const lines = [...output.matchAll(/VSOCK-BENCH (\{.*\})\r?\n/g)].map(
    (m) => JSON.parse(m[1]!) as Record<string, number>,
  );
  const throughput = lines.find((l) => l.metric === ('throughput' as unknown as number));
  const memory = lines.find((l) => l.metric === ('idle-memory' as unknown as number));
  if (!throughput || !memory)
    throw new Error(`missing results in the guest output:\n${output.slice(-3000)}`);
  const mib = (bytesPerSecond: number) => bytesPerSecond / 1048576;
  for (const [baseline, name] of [
    [throughput.socat!, 'socat VSOCK-CONNECT -> VSOCK-LISTEN (defaults: 8 KiB transfers)'],
    [throughput.socatLarge!, 'socat -b 65536 VSOCK-CONNECT -> VSOCK-LISTEN'],
  ] as const) {
    const ratio = throughput.ours! / baseline;
    reportBenchResult({
      package: '@multiverse-os/vsock',
      metric: `vsock loopback throughput, ${BYTES / 1048576} MiB one way, in a TCG guest, vs ${name}`,
      value: Number(mib(throughput.ours!).toFixed(2)),
      unit: 'MiB/s',
      baseline: Number(mib(baseline).toFixed(2)),
      baselineName: name,
      ratio: Number(ratio.toFixed(3)),
      goal: '>= 0.9',
      pass: ratio >= 0.9,
    });
  }
  const memoryRatio = memory.ours! / memory.unix!;
  reportBenchResult({
    package: '@multiverse-os/vsock',
    metric: 'memory per idle connection (both ends, JS heap + external, 200 connections)',
    value: Math.round(memory.ours!),
    unit: 'bytes',
    baseline: Math.round(memory.unix!),
    baselineName: 'node:net over a Unix socket',
    ratio: Number(memoryRatio.toFixed(3)),
    goal: '<= 2',
    pass: memoryRatio <= 2,
  });
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
