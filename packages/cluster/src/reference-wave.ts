import { referencedIds, type RunState } from '@dymu/experiments';

/**
 * The runs that random runs take their counts from (`{ name: random, like: ROW }`), in plan order:
 * what `dymu run --references-only` runs, the first wave of a plan that has random runs with references.
 */
export function referenceStates(states: readonly RunState[]): RunState[] {
  const references = referencedIds(states.map((s) => s.run));
  return states.filter((s) => references.has(s.run.id));
}

/** The shards of the first wave: as many as the plan's, but no more than there are reference runs. */
export const referenceShardCount = (references: number, shards: number): number => Math.min(references, shards);

/** sbatch's `--dependency` value for a job that may start once every task of job `job` has succeeded. */
export const afterOk = (job: string): string => `afterok:${job}`;
