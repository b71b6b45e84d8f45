import { DymuError, Rng, type MergePolicy } from '@dymu/core';
import { shardBatches, type BatchShard } from './batch-shard.ts';
import { calibratingPolicy } from './calibrating-policy.ts';
import { firstNames } from './image-source.ts';
import type { CalibrationLayout } from './layout.ts';

/** What the finished batches of a calibration gave. */
export interface CalibrationProgress {
  /** τ_batch of the k-th finished batch at each block: `taus[k][block]` (null where r_i = 0). */
  readonly taus: (number | null)[][];
  /** The images those batches could not decode (left out of their batch), in batch order. */
  readonly undecodable: string[];
}

/** Where a calibration keeps its finished batches. */
export interface CalibrationCheckpoint {
  load(): CalibrationProgress | undefined;
  save(progress: CalibrationProgress): void;
}

export interface CalibrateOptions {
  /** The calibration images, already sampled, in order. */
  readonly images: readonly string[];
  readonly batchSize: number;
  /** r_i per block. */
  readonly schedule: readonly number[];
  /** How later blocks of a batch see the batch-merged tokens (DYMU.md §3b); default `compact`. */
  readonly layout?: CalibrationLayout;
  /**
   * Runs the encoder on one batch with the given policy, through every block with r_i > 0; returns
   * the images it could not decode and left out of the batch (none: nothing or []).
   */
  readonly encodeBatch: (images: string[], policy: MergePolicy) => Promise<readonly string[] | void>;
  readonly checkpoint?: CalibrationCheckpoint;
  /** Only this shard's batches (`shardBatches`); default: all. */
  readonly shard?: BatchShard;
  /** Progress: called once the checkpoint is loaded, then after every batch. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** `calibrationProgress`'s τ_batch of every batch (of the shard, in batch order) and block. */
export async function calibrate(options: CalibrateOptions): Promise<(number | null)[][]> {
  return (await calibrationProgress(options)).taus;
}

/**
 * Batch-level threshold calibration (DYMU.md §3): full batches of `batchSize` images in order (an
 * incomplete last batch is left out so every τ_batch ranks B·r_i of B images); one forward per
 * batch with the calibrating policy, which merges the batch's top B·r_i links block after block and
 * records τ_batch. An image the encoder cannot decode is left out of its batch (which ranks
 * b·r_i links of the b images left) and listed. Resumes from the checkpoint and saves it after
 * every batch. Returns τ_batch of every batch (of the shard, in batch order) and block, and the
 * undecodable images.
 */
export async function calibrationProgress(options: CalibrateOptions): Promise<CalibrationProgress> {
  const { images, batchSize, schedule } = options;
  const total = Math.floor(images.length / batchSize);
  if (total === 0) throw new DymuError(`${images.length} images do not fill one batch of ${batchSize}`, { field: 'batch' });
  const batches = shardBatches(total, options.shard ?? { index: 0, count: 1 });
  const { taus, undecodable } = options.checkpoint?.load() ?? { taus: [], undecodable: [] };
  if (taus.length > batches.length) throw new DymuError(`the checkpoint holds ${taus.length} batches, this calibration${options.shard ? ' shard' : ''} has ${batches.length}`, { field: 'batches' });
  options.onProgress?.(taus.length, batches.length);
  for (const batch of batches.slice(taus.length)) {
    const recorded: (number | null)[] = schedule.map(() => null);
    const policy = calibratingPolicy(schedule, (block, tau) => (recorded[block] = tau), options.layout);
    const chosen = images.slice(batch * batchSize, (batch + 1) * batchSize);
    const skipped = (await options.encodeBatch(chosen, policy)) ?? [];
    if (skipped.length === chosen.length) throw new DymuError(`no image of batch ${batch} decodes (${firstNames(skipped)})`, { field: 'images' });
    const missed = schedule.findIndex((r, block) => r > 0 && recorded[block] === null);
    if (missed >= 0) throw new DymuError(`block ${missed} has r = ${schedule[missed]} but did not run or had no tokens to rank`, { field: 'schedule' });
    taus.push(recorded);
    undecodable.push(...skipped);
    options.checkpoint?.save({ taus, undecodable });
    options.onProgress?.(taus.length, batches.length);
  }
  return { taus, undecodable };
}

/** The calibration sample: the list shuffled with Rng.stream(seed, 'calibration'), first `limit` taken. */
export function sampleImages(images: readonly string[], seed: number, limit = images.length): string[] {
  return Rng.stream(seed, 'calibration').shuffle([...images]).slice(0, limit);
}
