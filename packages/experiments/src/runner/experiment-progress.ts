import { formatSeconds } from '@dymu/core';
import { experimentEstimate, type RunCount } from './experiment-eta.ts';

/**
 * The progress of every run of one experiment (or shard), as one text: `experiment quickstart: runs
 * 2/6, samples 40/~120, 12.0s elapsed, ETA 24.0s` (`~`: runs not opened yet are counted at the
 * mean size of the others). The runner appends it to each run's progress line (one updating line
 * on a terminal, a plain line every few seconds in logs) and to the line each run ends with.
 */
export class ExperimentProgress {
  private readonly runs = new Map<string, { -readonly [K in keyof RunCount]: RunCount[K] }>();
  private readonly start = performance.now();

  /** `totals`: each run's samples where known before it starts (a run that started in an earlier process). */
  constructor(
    private readonly name: string,
    ids: readonly string[],
    totals: (id: string) => number | undefined,
  ) {
    for (const id of ids) this.runs.set(id, { total: totals(id), done: 0, fresh: 0, finished: false });
  }

  /** The run opened: `first` samples were committed before. */
  opened(id: string, first: number, total: number): void {
    Object.assign(this.runs.get(id)!, { total, done: first });
  }

  committed(id: string, done: number): void {
    const run = this.runs.get(id)!;
    run.fresh += done - run.done;
    run.done = done;
  }

  /** The run is finished (computed, or found finished: then all its samples count as done, none in the rate). */
  finished(id: string): void {
    const run = this.runs.get(id)!;
    Object.assign(run, { finished: true, done: run.total ?? run.done });
  }

  text(): string {
    const elapsed = (performance.now() - this.start) / 1000;
    const e = experimentEstimate([...this.runs.values()], elapsed);
    const total = Number.isNaN(e.itemsTotal) ? '?' : `${e.itemsEstimated ? '~' : ''}${Math.round(e.itemsTotal)}`;
    return `experiment ${this.name}: runs ${e.runsDone}/${e.runsTotal}, samples ${e.itemsDone}/${total}, ${formatSeconds(elapsed)} elapsed, ETA ${e.runsDone === e.runsTotal ? '0s' : formatSeconds(e.etaSeconds)}`;
  }
}
