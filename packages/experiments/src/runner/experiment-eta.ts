/** What one run of an experiment has done, as far as this process knows. */
export interface RunCount {
  /** Its samples, once known (the run was opened or had started before); undefined before. */
  readonly total: number | undefined;
  /** Samples committed, before and in this process. */
  readonly done: number;
  /** Samples computed in this process (what the rate is measured on: cached and earlier rows are not). */
  readonly fresh: number;
  readonly finished: boolean;
}

export interface ExperimentEstimate {
  readonly runsDone: number;
  readonly runsTotal: number;
  readonly itemsDone: number;
  /** Known totals plus, for runs not opened yet, the mean known total (NaN when none is known). */
  readonly itemsTotal: number;
  /** Whether itemsTotal includes such an estimate. */
  readonly itemsEstimated: boolean;
  /** Seconds left at the rate measured so far (fresh samples / elapsed); Infinity before any sample. */
  readonly etaSeconds: number;
}

/**
 * The progress of a whole experiment: runs and samples done over all its runs (cached runs count
 * as done), and the time left at the throughput measured so far in this process (samples computed
 * here / seconds elapsed; cached runs and rows committed before are excluded from the rate).
 */
export function experimentEstimate(runs: readonly RunCount[], elapsedSeconds: number): ExperimentEstimate {
  const known = runs.filter((r) => r.total !== undefined).map((r) => r.total!);
  const unknown = runs.length - known.length;
  const meanTotal = known.length > 0 ? known.reduce((a, b) => a + b, 0) / known.length : NaN;
  const itemsTotal = known.reduce((a, b) => a + b, 0) + (unknown > 0 ? unknown * meanTotal : 0);
  const itemsDone = runs.reduce((n, r) => n + r.done, 0);
  const fresh = runs.reduce((n, r) => n + r.fresh, 0);
  const rate = elapsedSeconds > 0 ? fresh / elapsedSeconds : 0;
  return {
    runsDone: runs.filter((r) => r.finished).length,
    runsTotal: runs.length,
    itemsDone,
    itemsTotal,
    itemsEstimated: unknown > 0,
    etaSeconds: rate > 0 ? Math.max(0, itemsTotal - itemsDone) / rate : Infinity,
  };
}
