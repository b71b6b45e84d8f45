import type { Container } from 'inversify';
import type { Experiment } from '../config/experiment.ts';
import { SETTINGS } from '../di/tokens.ts';
import { describeRun, planRuns, type PlannedRun } from '../plan/plan.ts';
import { selectShard, type Shard } from '../plan/shard.ts';
import { executeRun, type ChunkListener, type RunOutcome } from './execute-run.ts';
import { preflight } from './preflight.ts';

export interface RunOptions {
  /** Only this slice of the runs (a cluster array job's share). */
  readonly shard?: Shard;
  readonly onChunk?: ChunkListener;
}

/**
 * Runs (or skips, when finished) every run of the experiment's plan, or of one shard of it, in plan
 * order, once the inputs of all of them are there (preflight: every problem in one error, before any
 * sample is computed).
 */
export async function runExperiment(experiment: Experiment, container: Container, options: RunOptions = {}): Promise<{ run: PlannedRun; outcome: RunOutcome }[]> {
  const all = planRuns(experiment);
  const runs = options.shard ? selectShard(all, options.shard) : all;
  await preflight(experiment, runs, container);
  const log = container.get(SETTINGS).progress;
  const done: { run: PlannedRun; outcome: RunOutcome }[] = [];
  for (const [i, run] of runs.entries()) {
    const label = `[${i + 1}/${runs.length}] ${describeRun(run)}`;
    const outcome = await executeRun(experiment, run, container, label, options.onChunk);
    log.write(`${label}: ${outcome === 'cached' ? 'finished before (cached)' : 'done'} (${run.id})\n`);
    done.push({ run, outcome });
  }
  return done;
}
