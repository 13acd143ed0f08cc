import { appendFileSync } from 'node:fs';

export interface BenchResult {
  metric: string;
  value: number;
  unit: string;
  baseline: number;
  baselineName: string;
  /** value / baseline. */
  ratio: number;
  /** The goal on `ratio`, as text (`>= 0.9`). */
  goal: string;
  pass: boolean;
}

/** Appends one JSON line per result to MULTIVERSE_BENCH_RESULTS, or prints it. */
export function report(
  result: Omit<BenchResult, 'ratio' | 'pass'>,
  pass: (ratio: number) => boolean,
) {
  const ratio = result.value / result.baseline;
  const line = JSON.stringify({
    package: '@multiverse-os/serial',
    ...result,
    value: round(result.value),
    baseline: round(result.baseline),
    ratio: round(ratio),
    pass: pass(ratio),
  });
  const file = process.env.MULTIVERSE_BENCH_RESULTS;
  if (file) appendFileSync(file, `${line}\n`);
  process.stdout.write(`${line}\n`);
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
