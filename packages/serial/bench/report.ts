import { type BenchResult, reportBenchResult } from '../../../scripts/bench-result.mjs';

/** Reports one figure; `ratio` and `pass` are derived from value, baseline and the goal. */
export function report(
  result: Omit<BenchResult, 'package' | 'ratio' | 'pass' | 'goal'> & { goal: string },
  pass: (ratio: number) => boolean,
) {
  const ratio = result.value / result.baseline;
  reportBenchResult({
    package: '@multiverse-os/serial',
    ...result,
    value: round(result.value),
    baseline: round(result.baseline),
    ratio: round(ratio),
    pass: pass(ratio),
  });
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** Console-like text: kernel log lines, colour escapes, prompts. */
export function consoleText(bytes: number): Buffer {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const line =
      i % 7 === 0
        ? `\x1b[1;32mroot@vm\x1b[0m:\x1b[1;34m~\x1b[0m# ls -l /proc/${i}\r\n`
        : `[ ${(i / 1000).toFixed(6)}] virtio_net virtio${i % 4} eth0: link up, speed ${i % 1000} Mb/s\r\n`;
    lines.push(line);
    size += line.length;
  }
  return Buffer.from(lines.join('')).subarray(0, bytes);
}
