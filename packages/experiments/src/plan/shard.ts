import { DymuError } from '@dymu/core';

/** Slice `index` (0-based) of `count`. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** `i/n` with 0 ≤ i < n, e.g. `--shard $SLURM_ARRAY_TASK_ID/8`. */
export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = match ? Number(match[1]) : NaN;
  const count = match ? Number(match[2]) : NaN;
  if (!(count >= 1 && index < count)) throw new DymuError(`expected i/n with 0 ≤ i < n (e.g. 0/4), got ${JSON.stringify(text)}`, { field: '--shard' });
  return { index, count };
}

/**
 * The runs of one shard: every n-th run of the plan starting at i. The plan order is fixed by the
 * experiment, so the shards of one experiment are disjoint and together cover it; each writes its
 * own run directories, so their results merge by construction.
 */
export function selectShard<T>(runs: readonly T[], shard: Shard): T[] {
  return runs.filter((_, i) => i % shard.count === shard.index);
}
