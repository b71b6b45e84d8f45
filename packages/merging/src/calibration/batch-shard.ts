/** Slice `index` (0-based) of `count`, as `dymu calibrate --shard i/n` gives it. */
export interface BatchShard {
  readonly index: number;
  readonly count: number;
}

/**
 * The batches of one shard: every count-th batch starting at index (the rule `dymu run --shard`
 * uses for runs). The shards of a calibration are disjoint and together cover all its batches.
 */
export function shardBatches(total: number, shard: BatchShard): number[] {
  return Array.from({ length: total }, (_, batch) => batch).filter((batch) => batch % shard.count === shard.index);
}
