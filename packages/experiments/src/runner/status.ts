import type { Experiment } from '../config/experiment.ts';
import { planRuns, type PlannedRun } from '../plan/plan.ts';
import { RunDir, type RunStatus } from '../results/run-dir.ts';

export interface RunState {
  readonly run: PlannedRun;
  readonly status: RunStatus;
  /** Committed rows (all of them when done). */
  readonly rows: number;
  /** Samples of the run once started (null before). */
  readonly total: number | null;
}

/** The state of every planned run on disk. */
export function planStatus(experiment: Experiment, results: string): RunState[] {
  return planRuns(experiment).map((run) => {
    const dir = RunDir.of(results, experiment.name, run.id);
    const status = dir.status;
    const total = dir.meta()?.total ?? null;
    return { run, status, total, rows: status === 'done' ? total! : status === 'partial' ? dir.rows().length : 0 };
  });
}
