// The guest's side of the guest bench: one shell script that mounts every server and runs the
// same workload against each, in turns, printing `BENCH <label> <mark> <uptime>` lines that
// guest.ts turns into rates. Every figure is timed inside the guest.

/** One server under test as the guest sees it. */
export interface GuestTarget {
  name: string;
  port: number;
  aname: string;
}

/** How the workload is split between the servers. */
export interface GuestPlan {
  /** MiB written and read back with dd bs=1M, per dd run. */
  mb: number;
  /** dd runs per server, in A-B-B-A order (long runs: best of these counts). */
  ddRuns: number;
  /** Files created, stat'ed and unlinked per server. */
  files: number;
  /**
   * The files are handled in this many chunks, the servers alternating chunk by chunk (A B,
   * B A, ...): both see the same machine at nearly the same time, so a slow patch of the host
   * slows both, and each rate is over all of its chunks.
   */
  chunks: number;
  /** `ls -l` runs per server, alternating the same way. */
  lsRuns: number;
  /**
   * Files each server creates, stats, lists and removes, unmeasured, before the per-file
   * steps: a JIT-compiled server (ours) runs its per-file paths cold at first, and a file
   * server is measured as it runs for hours, not in its first second. diod gets the same.
   */
  warmupFiles: number;
}

export const mark = (label: string) => `echo "BENCH $N ${label} $(cut -d' ' -f1 /proc/uptime)"`;

/** `rounds` passes over the targets, every other pass reversed: A B B A A B ... */
function alternate<T>(targets: T[], rounds: number): { target: T; round: number }[] {
  const out: { target: T; round: number }[] = [];
  for (let round = 0; round < rounds; round++) {
    const pass = round % 2 === 0 ? targets : [...targets].reverse();
    for (const target of pass) out.push({ target, round });
  }
  return out;
}

/** The label of one run or chunk of one server: `ours.3`. */
export const runLabel = (name: string, round: number) => `${name}.${round}`;

function mountAll(targets: GuestTarget[]): string {
  return targets
    .map(
      (x) => `N=${x.name}
mkdir -p /mnt/$N
mount -t 9p -o trans=tcp,port=${x.port},version=9p2000.L,msize=1048576,aname=${x.aname} 10.0.2.2 /mnt/$N || echo "BENCH $N mount-failed 0"
mkdir /mnt/$N/many`,
    )
    .join('\n');
}

function ddRuns(targets: GuestTarget[], plan: GuestPlan): string {
  return alternate(targets, plan.ddRuns)
    .map(
      ({ target, round }) => `N=${runLabel(target.name, round)}
cd /mnt/${target.name}
${mark('w0')}; dd if=/dev/zero of=big bs=1M count=${plan.mb} conv=fsync 2>/dev/null; ${mark('w1')}
${mark('r0')}; dd if=big of=/dev/null bs=1M 2>/dev/null; ${mark('r1')}
rm -f big`,
    )
    .join('\n');
}

/** One per-file step (`body` runs in the server's `many` directory for chunk `$C`). */
function chunked(targets: GuestTarget[], plan: GuestPlan, step: string, body: string): string {
  return alternate(targets, plan.chunks)
    .map(
      ({ target, round }) => `N=${runLabel(target.name, round)}; C=${round}
cd /mnt/${target.name}/many
${mark(`${step}0`)}; ${body}; ${mark(`${step}1`)}`,
    )
    .join('\n');
}

/** The 9P part of the guest script (the transport ceiling runs before and after it). */
export function benchScript(targets: GuestTarget[], plan: GuestPlan): string {
  const per = Math.ceil(plan.files / plan.chunks);
  const each = (cmd: string) => `i=0; while [ $i -lt ${per} ]; do ${cmd}; i=$((i+1)); done`;
  return [
    mountAll(targets),
    ddRuns(targets, plan),
    targets
      .map(
        (x) => `cd /mnt/${x.name}; mkdir warm; cd warm
i=0; while [ $i -lt ${plan.warmupFiles} ]; do : > w$i; [ -e w$i ]; i=$((i+1)); done
ls -l > /dev/null; cd ..; rm -rf warm`,
      )
      .join('\n'),
    chunked(targets, plan, 'c', each(': > f$C-$i')),
    chunked(targets, plan, 's', each('[ -e f$C-$i ] || echo "BENCH-MISSING $N"')),
    alternate(targets, plan.lsRuns)
      .map(
        ({ target, round }) => `N=${runLabel(target.name, round)}
cd /mnt/${target.name}/many
${mark('l0')}; ls -l > /dev/null; ${mark('l1')}`,
      )
      .join('\n'),
    // One rm per chunk (the shell expands the glob): the same for both servers.
    chunked(targets, plan, 'u', 'rm -f f$C-*'),
    'cd /',
    targets.map((x) => `rmdir /mnt/${x.name}/many; umount /mnt/${x.name}`).join('\n'),
  ].join('\n');
}
