import type { Container } from 'inversify';
import type { Experiment } from '../config/experiment.ts';
import { SETTINGS } from '../di/tokens.ts';
import { describeRun, planRuns, referencedIds, type PlannedRun } from '../plan/plan.ts';
import { selectShard, type Shard } from '../plan/shard.ts';
import { RunDir } from '../results/run-dir.ts';
import { executeRun, type ChunkListener, type RunOutcome } from './execute-run.ts';
import { ExperimentProgress } from './experiment-progress.ts';
import { preflight } from './preflight.ts';

export interface RunOptions {
  /** Only this slice of the runs (a cluster array job's share). */
  readonly shard?: Shard;
  /** Only the runs others take their counts from (a random policy `like` their row), before the shard is taken: the first wave of `--jobs` and of a Slurm submission. */
  readonly referencesOnly?: boolean;
  readonly onChunk?: ChunkListener;
}

/**
 * Runs (or skips, when finished) every run of the experiment's plan, or of one shard of it, in plan
 * order, once the inputs of all of them are there (preflight: every problem in one error, before any
 * sample is computed). Each run's progress line and the line it ends with carry the progress of all
 * of them (ExperimentProgress).
 */
export async function runExperiment(experiment: Experiment, container: Container, options: RunOptions = {}): Promise<{ run: PlannedRun; outcome: RunOutcome }[]> {
  const planned = planRuns(experiment);
  const references = referencedIds(planned);
  const all = options.referencesOnly ? planned.filter((r) => references.has(r.id)) : planned;
  const runs = options.shard ? selectShard(all, options.shard) : all;
  await preflight(experiment, runs, container);
  const { progress: log, results } = container.get(SETTINGS);
  const overall = new ExperimentProgress(experiment.name, runs.map((r) => r.id), (id) => knownTotal(RunDir.of(results, experiment.name, id)));
  const done: { run: PlannedRun; outcome: RunOutcome }[] = [];
  for (const [i, run] of runs.entries()) {
    const label = `[${i + 1}/${runs.length}] ${describeRun(run)}`;
    const outcome = await executeRun(experiment, run, container, label, options.onChunk, overall);
    overall.finished(run.id);
    log.write(`${label}: ${outcome === 'cached' ? 'finished before (cached)' : 'done'} (${run.id}) | ${overall.text()}\n`);
    done.push({ run, outcome });
  }
  return done;
}

/** The samples of a run that started before (its run.json), or undefined (not started, or run.json damaged: the run starts over). */
function knownTotal(dir: RunDir): number | undefined {
  try {
    return dir.meta()?.total;
  } catch {
    return undefined;
  }
}
