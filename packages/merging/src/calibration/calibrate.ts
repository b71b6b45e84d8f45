import { DymuError, Rng, type MergePolicy } from '@dymu/core';
import { shardBatches, type BatchShard } from './batch-shard.ts';
import { calibratingPolicy } from './calibrating-policy.ts';
import type { CalibrationLayout } from './layout.ts';

/** Where a calibration keeps its finished batches: `taus[k][block]` of its k-th batch (null where r_i = 0). */
export interface CalibrationCheckpoint {
  load(): (number | null)[][] | undefined;
  save(taus: (number | null)[][]): void;
}

export interface CalibrateOptions {
  /** The calibration images, already sampled, in order. */
  readonly images: readonly string[];
  readonly batchSize: number;
  /** r_i per block. */
  readonly schedule: readonly number[];
  /** How later blocks of a batch see the batch-merged tokens (DYMU.md §3b); default `compact`. */
  readonly layout?: CalibrationLayout;
  /** Runs the encoder on one batch with the given policy, through every block with r_i > 0. */
  readonly encodeBatch: (images: string[], policy: MergePolicy) => Promise<void>;
  readonly checkpoint?: CalibrationCheckpoint;
  /** Only this shard's batches (`shardBatches`); default: all. */
  readonly shard?: BatchShard;
  /** Progress: called once the checkpoint is loaded, then after every batch. */
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Batch-level threshold calibration (DYMU.md §3): full batches of `batchSize` images in order (an
 * incomplete last batch is left out so every τ_batch ranks B·r_i of B images); one forward per
 * batch with the calibrating policy, which merges the batch's top B·r_i links block after block and
 * records τ_batch. Resumes from the checkpoint and saves it after every batch. Returns τ_batch of
 * every batch (of the shard, in batch order) and block.
 */
export async function calibrate(options: CalibrateOptions): Promise<(number | null)[][]> {
  const { images, batchSize, schedule } = options;
  const total = Math.floor(images.length / batchSize);
  if (total === 0) throw new DymuError(`${images.length} images do not fill one batch of ${batchSize}`, { field: 'batch' });
  const batches = shardBatches(total, options.shard ?? { index: 0, count: 1 });
  const taus = options.checkpoint?.load() ?? [];
  if (taus.length > batches.length) throw new DymuError(`the checkpoint holds ${taus.length} batches, this calibration${options.shard ? ' shard' : ''} has ${batches.length}`, { field: 'batches' });
  options.onProgress?.(taus.length, batches.length);
  for (const batch of batches.slice(taus.length)) {
    const recorded: (number | null)[] = schedule.map(() => null);
    const policy = calibratingPolicy(schedule, (block, tau) => (recorded[block] = tau), options.layout);
    await options.encodeBatch(images.slice(batch * batchSize, (batch + 1) * batchSize), policy);
    const missed = schedule.findIndex((r, block) => r > 0 && recorded[block] === null);
    if (missed >= 0) throw new DymuError(`block ${missed} has r = ${schedule[missed]} but did not run or had no tokens to rank`, { field: 'schedule' });
    taus.push(recorded);
    options.checkpoint?.save(taus);
    options.onProgress?.(taus.length, batches.length);
  }
  return taus;
}

/** The calibration sample: the list shuffled with Rng.stream(seed, 'calibration'), first `limit` taken. */
export function sampleImages(images: readonly string[], seed: number, limit = images.length): string[] {
  return Rng.stream(seed, 'calibration').shuffle([...images]).slice(0, limit);
}
