/** One measured figure, with the baseline or peer measured in the same run. */
export interface BenchResult {
  package: string;
  metric: string;
  value: number;
  unit: string;
  baseline: number;
  baselineName: string;
  /** value / baseline (or the ratio the goal is stated in). */
  ratio: number;
  /** The target from the package's issue, as a number or a short expression (">= 0.9"). */
  goal: number | string;
  pass: boolean;
}

/** The fields every result has, in order. */
export declare const BENCH_RESULT_FIELDS: readonly (keyof BenchResult)[];

/** Appends `result` to $MULTIVERSE_BENCH_RESULTS as one JSON line, or prints it. */
export declare function reportBenchResult(result: BenchResult): void;
