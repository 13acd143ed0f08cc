// How a package's benchmark hands one measured figure to `pnpm bench` (scripts/bench.mjs):
// one JSON line appended to $MULTIVERSE_BENCH_RESULTS, or printed when a bench runs alone.
// Shared by every package's bench/ (not published: benchmarks are not in the packages' files).
import { appendFileSync } from 'node:fs';

export const BENCH_RESULT_FIELDS = [
  'package',
  'metric',
  'value',
  'unit',
  'baseline',
  'baselineName',
  'ratio',
  'goal',
  'pass',
];

export function reportBenchResult(result) {
  const missing = BENCH_RESULT_FIELDS.filter((field) => result[field] === undefined);
  if (missing.length > 0) {
    throw new Error(`bench result ${result.metric ?? '?'} lacks ${missing.join(', ')}`);
  }
  const line = JSON.stringify(result);
  const file = process.env.MULTIVERSE_BENCH_RESULTS;
  if (file) appendFileSync(file, `${line}\n`);
  else process.stdout.write(`${line}\n`);
}
