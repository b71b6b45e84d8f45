import { DymuError } from '@dymu/core';
import { describeRun, seedText, type PlannedRun } from '../plan/plan.ts';
import { RunDir } from '../results/run-dir.ts';

/**
 * The token counts after every block (class token included) that the reference run of `run` (a
 * random policy `like` another row) produced per image, by sample id: its rows' `block_counts`. The
 * reference must be finished (the planner puts it first; `--jobs` and Slurm run the references first,
 * shards started by hand may not have got there yet) and record per-block counts (the tokens and complexity tasks do); asking for an
 * image it lacks is an error naming both runs.
 */
export function referenceCounts(results: string, run: PlannedRun): (id: string) => readonly number[] {
  const reference = run.reference!;
  const dir = RunDir.of(results, reference.experiment, reference.id);
  const what = `run ${run.id} (${describeRun(run)}) takes its token counts from run ${reference.id} (${[...Object.values(reference.labels), seedText({ seed: reference.seed, seeds: run.seeds })].join(', ')})`;
  const where = run.origins.locate(['policy', 'like']);
  if (dir.status !== 'done') throw new DymuError(`${what}, which is not finished (${dir.path}): run the experiment without --shard, or this shard again once that run is`, where);
  const counts = new Map<string, readonly number[]>();
  for (const row of dir.rows()) {
    if (!Array.isArray(row.block_counts)) throw new DymuError(`${what}, whose rows record no per-block counts (block_counts; its task is ${dir.meta()?.config.task}): name a row of the tokens or complexity task`, where);
    counts.set(String(row.id), row.block_counts as number[]);
  }
  return (id) => counts.get(id) ?? fail(`${what}, which has no image ${JSON.stringify(id)} (do both rows read the same images?)`, where);
}

function fail(message: string, where: { file: string; field: string }): never {
  throw new DymuError(message, where);
}
