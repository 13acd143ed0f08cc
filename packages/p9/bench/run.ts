import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reportBenchResult } from '../../../scripts/bench-result.mjs';
import { connect } from '../src/client/p9-client.js';
import { guestBench, tempExport } from './guest.js';
import { type LoopbackResult, loopback } from './loopback.js';
import { serverTime } from './server-time.js';

// Host-side loopback benchmark: our server and Debian's diod export the same folder, our
// client measures both in the same run, and each row reports ours / diod.
const DIOD = '/usr/sbin/diod';
const MS = Number(process.env.P9_BENCH_MS ?? 2000);

async function freePort(): Promise<number> {
  const s = createTcpServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

async function startDiod(dir: string): Promise<{ proc: ChildProcess; address: string }> {
  if (!existsSync(DIOD)) throw new Error(`${DIOD} is missing: install Debian's diod package`);
  const port = await freePort();
  const proc = spawn(DIOD, ['-f', '-n', '-l', `127.0.0.1:${port}`, '-e', dir, '-L', 'stderr'], {
    stdio: 'ignore',
  });
  const address = `tcp:127.0.0.1:${port}`;
  await waitUp(address, dir).catch((err) => {
    proc.kill();
    throw err;
  });
  return { proc, address };
}

async function waitUp(address: string, aname: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const up = await connect(address, { aname, uid: 0 }).then(
      (c) => {
        c.close();
        return true;
      },
      () => false,
    );
    if (up) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no 9P server came up on ${address}`);
}

function emitRatio(
  metric: string,
  value: number,
  baseline: number,
  unit: string,
  baselineName: string,
  goal = 1.0,
  ratio = value / baseline,
): void {
  reportBenchResult({
    package: '@multiverse-os/p9',
    metric,
    value: Math.round(value * 10) / 10,
    unit,
    baseline: Math.round(baseline * 10) / 10,
    baselineName,
    ratio: Math.round(ratio * 100) / 100,
    goal,
    pass: ratio >= goal,
  });
}

/** Our server in its own process, like diod, so clients do not share its CPU time. */
async function startOurs(
  dir: string,
): Promise<{ proc: ChildProcess; address: string; port: number }> {
  const port = await freePort();
  const address = `tcp:127.0.0.1:${port}`;
  const cli = join(import.meta.dirname, '..', 'src', 'cli.ts');
  const proc = spawn(
    process.execPath,
    [...process.execArgv, cli, 'serve', dir, '--listen', address],
    {
      stdio: 'ignore',
    },
  );
  await waitUp(address, dir).catch((err) => {
    proc.kill();
    throw err;
  });
  return { proc, address, port };
}

async function loopbackRows(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'p9-bench-'));
  writeFileSync(join(dir, 'zero'), Buffer.alloc(16 * 1024 * 1024));
  const ours = await startOurs(dir);
  const diod = await startDiod(dir);
  try {
    // Interleaved rounds, best of each: the build machines are shared and noisy.
    const best = (a: LoopbackResult | undefined, b: LoopbackResult): LoopbackResult =>
      a
        ? {
            getattrPerSec: Math.max(a.getattrPerSec, b.getattrPerSec),
            readMBps: Math.max(a.readMBps, b.readMBps),
            msize: b.msize,
          }
        : b;
    let theirs: LoopbackResult | undefined;
    let mine: LoopbackResult | undefined;
    for (let round = 0; round < 3; round++) {
      theirs = best(theirs, await loopback(diod.address, dir, 'zero', MS));
      mine = best(mine, await loopback(ours.address, dir, 'zero', MS));
    }
    if (!theirs || !mine) throw new Error('no measurements');
    const name = `diod 1.0.24 (msize ${theirs.msize}) vs ours (msize ${mine.msize}), host loopback`;
    emitRatio('loopback getattr', mine.getattrPerSec, theirs.getattrPerSec, 'ops/s', name);
    emitRatio('loopback 64KiB read', mine.readMBps, theirs.readMBps, 'MB/s', name);
    if (process.env.P9_BENCH_SERVER_TIME !== '0') {
      // Per-request server time, read to reply (perf trace); ratio diod/ours: > 1 is faster.
      const oursTime = await serverTime(ours.proc.pid ?? 0, ours.address, dir, 'zero');
      const diodTime = await serverTime(diod.proc.pid ?? 0, diod.address, dir, 'zero');
      console.error(
        `server time, median us (ours / diod): ${JSON.stringify({ ours: oursTime, diod: diodTime })}`,
      );
      const timeName =
        'diod 1.0.24, host loopback, one request at a time, 0.5 ms apart, perf trace read-to-reply median';
      for (const k of ['failedWalk', 'walk', 'getattr', 'clunk'] as const) {
        emitRatio(
          `server time ${k} (us, ratio diod/ours)`,
          oursTime[k],
          diodTime[k],
          'us',
          timeName,
          1,
          diodTime[k] / oursTime[k],
        );
      }
    }
  } finally {
    diod.proc.kill();
    ours.proc.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The Linux client in one guest runs the same workload against both servers. */
async function guestRows(): Promise<void> {
  // 256 MiB as in the issue; MB/s below are MiB/s, the same unit on both sides of each ratio.
  const plan = {
    mb: Number(process.env.P9_BENCH_GUEST_MB ?? 256),
    ddRuns: Number(process.env.P9_BENCH_GUEST_DD_RUNS ?? 2),
    files: Number(process.env.P9_BENCH_GUEST_FILES ?? 2000),
    chunks: Number(process.env.P9_BENCH_GUEST_CHUNKS ?? 8),
    lsRuns: Number(process.env.P9_BENCH_GUEST_LS_RUNS ?? 4),
    warmupFiles: Number(process.env.P9_BENCH_GUEST_WARMUP_FILES ?? 500),
  };
  const { mb, files } = plan;
  const a = tempExport('p9-gbench-ours-');
  const b = tempExport('p9-gbench-diod-');
  const ours = await startOurs(a.dir);
  const diod = await startDiod(b.dir);
  try {
    const port = (address: string) => Number(address.split(':').pop());
    const r = await guestBench(
      [
        { name: 'diod', port: port(diod.address), aname: b.dir },
        { name: 'ours', port: ours.port, aname: a.dir },
      ],
      plan,
    );
    const mine = r.servers.get('ours');
    const theirs = r.servers.get('diod');
    if (!mine || !theirs) throw new Error('guest bench: missing results');
    const name = `diod 1.0.24, same guest kernel client (trans=tcp, user networking, ${mb} MiB, ${files} files, dd best of ${plan.ddRuns} runs, per-file steps in ${plan.chunks} alternating chunks, ls -l ${plan.lsRuns} runs, after ${plan.warmupFiles} unmeasured files each)`;
    emitRatio(`guest dd write ${mb} MiB bs=1M`, mine.writeMBps, theirs.writeMBps, 'MB/s', name);
    emitRatio(`guest dd read ${mb} MiB bs=1M`, mine.readMBps, theirs.readMBps, 'MB/s', name);
    emitRatio('guest create', mine.createPerSec, theirs.createPerSec, 'files/s', name);
    emitRatio('guest stat', mine.statPerSec, theirs.statPerSec, 'files/s', name);
    emitRatio('guest unlink', mine.unlinkPerSec, theirs.unlinkPerSec, 'files/s', name);
    emitRatio('guest ls -l', mine.lsPerSec, theirs.lsPerSec, 'entries/s', name);
    // Ours against raw TCP of the same boot; diod's ratio rides in the name for comparison.
    // The issue sets 0.9 for reads only. Writes get the same 0.9: a 1 MiB Twrite is the same
    // one-message, one-reply exchange as a read, so the same ceiling is reachable, and a row
    // that always passed would hide a regression.
    const { hostToGuestMBps: down, guestToHostMBps: up } = r.ceiling;
    const ceiling = (dir: string, diodMBps: number, raw: number) =>
      `raw TCP ${dir}, same boot and user networking, ${mb} MiB (diod ${(diodMBps / raw).toFixed(2)}x)`;
    const readCeiling = ceiling('host->guest', theirs.readMBps, down);
    const writeCeiling = ceiling('guest->host', theirs.writeMBps, up);
    emitRatio('guest read vs transport ceiling', mine.readMBps, down, 'MB/s', readCeiling, 0.9);
    emitRatio('guest write vs transport ceiling', mine.writeMBps, up, 'MB/s', writeCeiling, 0.9);
  } finally {
    diod.proc.kill();
    ours.proc.kill();
    a.cleanup();
    b.cleanup();
  }
}

async function main(): Promise<void> {
  await loopbackRows();
  if (process.env.P9_BENCH_GUEST !== '0') await guestRows();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
