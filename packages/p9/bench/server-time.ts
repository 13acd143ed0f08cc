import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '../src/client/p9-client.js';
import { GetattrMask } from '../src/protocol/constants.js';

/** Median server time (us) from reading a request to writing its reply, per request kind. */
export interface ServerTime {
  walk: number;
  failedWalk: number;
  getattr: number;
  clunk: number;
  samples: number;
}

const READS = ['read', 'readv', 'recvfrom', 'recvmsg'];
const WRITES = ['write', 'writev', 'sendto', 'sendmsg'];
const EVENTS = [
  ...READS.flatMap((c) => [`syscalls:sys_enter_${c}`, `syscalls:sys_exit_${c}`]),
  ...WRITES.map((c) => `syscalls:sys_enter_${c}`),
].join(',');
// perf script -F tid,time,event,trace: "  1234 12345.678901: syscalls:sys_enter_read: fd: 0x15, ..."
const LINE = /^\s*(\d+)\s+([\d.]+):\s+syscalls:sys_(enter|exit)_(\w+):\s*(.*)$/;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};

/**
 * Runs `rounds` of the requests behind a guest `stat` of a missing and an existing name
 * (failed walk, walk, getattr, clunk), one at a time with a pause between them like a guest
 * client's (the server runs cold, as it does under the kernel client), while `perf trace`
 * records the server's socket calls (syscall tracepoints, `perf record`). A request's server time is its read's return to the
 * next reply write's entry on the same descriptor: the same measure for both servers,
 * whatever language they are written in.
 */
export async function serverTime(
  pid: number,
  address: string,
  aname: string,
  file: string,
  rounds = 400,
  pauseMs = 0.5,
): Promise<ServerTime> {
  const client = await connect(address, { aname, uid: 0 });
  let perf: ChildProcess | undefined;
  const data = join(tmpdir(), `p9-server-time-${pid}.data`);
  let out = '';
  try {
    // Attach after connecting: diod starts a thread per connection, which must be traced.
    perf = spawn('perf', ['record', '-q', '-o', data, '-p', String(pid), '-e', EVENTS], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    perf.stderr?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    perf.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    await new Promise((r) => setTimeout(r, 1500)); // perf attaches
    const pause = () => new Promise((r) => setTimeout(r, pauseMs));
    for (let i = 0; i < rounds; i++) {
      await client.walk(`missing-${i}`).catch(() => undefined);
      await pause();
      const fid = await client.walk(file);
      await pause();
      await client.getattr(fid, GetattrMask.BASIC);
      await pause();
      await client.clunk(fid);
      await pause();
    }
    await new Promise((r) => setTimeout(r, 500));
  } finally {
    client.close();
    if (perf) {
      const exited = new Promise((r) => perf?.once('exit', r));
      perf.kill('SIGINT');
      await exited;
    }
  }
  const script = execFileSync('perf', ['script', '-i', data, '-F', 'tid,time,event,trace'], {
    maxBuffer: 256 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'ignore'], // perf warns about fields other event kinds lack
  }).toString();
  rmSync(data, { force: true });
  // Pair each read that returned a request (its exit, per thread) with the next write
  // entering on that descriptor, from any thread (diod answers from worker threads).
  const times: number[] = [];
  const readingFd = new Map<string, string>();
  let pending: { fd: string; end: number } | undefined;
  for (const line of script.split('\n')) {
    const m = LINE.exec(line);
    if (!m) continue;
    const [, tid = '', ts, phase, call = '', args = ''] = m;
    const time = Number(ts);
    if (READS.includes(call)) {
      if (phase === 'enter') {
        readingFd.set(tid, /fd: (0x[\da-f]+)/.exec(args)?.[1] ?? '');
      } else {
        // The return value in hex; an error is a huge unsigned value (-errno).
        const ret = Number(args.trim());
        const fd = readingFd.get(tid);
        if (fd && ret >= 7 && ret < 2 ** 32) pending = { fd, end: time };
      }
    } else if (phase === 'enter' && pending) {
      const fd = /fd: (0x[\da-f]+)/.exec(args)?.[1];
      if (fd === pending.fd) {
        times.push((time - pending.end) * 1e6);
        pending = undefined;
      }
    }
  }
  // The requests went in a fixed order: failed walk, walk, getattr, clunk.
  const kind = (k: number) => times.filter((_, i) => i % 4 === k);
  if (times.length < rounds * 2) {
    throw new Error(
      `perf trace saw ${times.length} replies for ${rounds * 4} requests: ${out.slice(0, 500)}`,
    );
  }
  return {
    failedWalk: median(kind(0)),
    walk: median(kind(1)),
    getattr: median(kind(2)),
    clunk: median(kind(3)),
    samples: times.length,
  };
}
