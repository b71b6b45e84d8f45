import { mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { withLock } from '@dymu/core';
import type { Schedule } from '../schedules.ts';
import { writeThresholdFile, type ThresholdFile } from '../threshold-file.ts';
import type { BatchShard } from './batch-shard.ts';
import { calibrationProgress, type CalibrateOptions, type CalibrationProgress } from './calibrate.ts';
import { checkpointFile } from './checkpoint-file.ts';
import { calibrationHeader, checkpointIdentity, thresholdFileOf, type CalibrationHeader } from './header.ts';
import { isFinishedShardFile, readShardFile, shardFileOf, writeShardFile, type CalibrationShardFile } from './shard-file.ts';
import type { CalibrationLayout } from './layout.ts';
import type { RunningMean } from './statistics.ts';

export interface CalibrationRun {
  readonly encoder: ThresholdFile['encoder'];
  readonly schedule: Schedule;
  readonly batchSize: number;
  /**
   * The sampled images (as the source names them), the source, the sampling seed, and the entries
   * of the source whose images were missing at the start (left out before sampling, `presentImages`).
   */
  readonly data: { readonly source: string; readonly images: readonly string[]; readonly seed: number; readonly missing?: readonly string[] };
  /** DYMU.md §3b; default `compact`. */
  readonly layout?: CalibrationLayout;
  readonly encodeBatch: CalibrateOptions['encodeBatch'];
  /** The threshold file (`runCalibration`) or the shard file (`runCalibrationShard`, normally `shardFilePath(thresholds, shard)`). */
  readonly out: string;
  /** Default: `<out>.checkpoint.json`. */
  readonly checkpoint?: string;
  /** Discard the checkpoint of an earlier, unfinished run (of this or another calibration) and start over. */
  readonly restart?: boolean;
  /** How the user asks for `restart`, named when a checkpoint cannot be resumed (default `--restart`). */
  readonly restartOption?: string;
  readonly runningMean?: RunningMean;
  readonly tool: ThresholdFile['tool'];
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * A resumable calibration that ends in a threshold file: τ_batch per batch goes to the checkpoint
 * after every batch; only when all batches are done is the threshold file written (atomically) and
 * the checkpoint removed, so a crashed run never leaves a file that looks finished. One process at
 * a time works on a checkpoint (`<checkpoint>.lock`, see `acquireLock`; a second one waits).
 */
export function runCalibration(run: CalibrationRun): Promise<ThresholdFile> {
  return withLock(`${checkpointPath(run)}.lock`, async () => {
    const header = calibrationHeader(run);
    const file = thresholdFileOf(header, await calibrateBatches(run, header));
    writeThresholdFile(run.out, file);
    rmSync(checkpointPath(run), { force: true });
    return file;
  });
}

/**
 * One shard of a calibration (the batches `shardBatches` gives it), resumable the same way, ending
 * in a shard file with its τ_batch per block and batch; a finished shard file of the same
 * calibration is kept (returned, nothing computed). `mergeShards` turns the shard files into
 * exactly the threshold file `runCalibration` writes for the same batches. Locked as `runCalibration`.
 */
export async function runCalibrationShard(run: CalibrationRun, shard: BatchShard): Promise<CalibrationShardFile> {
  const header = calibrationHeader(run);
  if (isFinishedShardFile(run.out, header, shard)) return readShardFile(run.out);
  mkdirSync(dirname(run.out), { recursive: true });
  return withLock(`${checkpointPath(run)}.lock`, async () => {
    if (isFinishedShardFile(run.out, header, shard)) return readShardFile(run.out); // finished while this one waited
    const file = shardFileOf(header, shard, await calibrateBatches(run, header, shard));
    writeShardFile(run.out, file);
    rmSync(checkpointPath(run), { force: true });
    return file;
  });
}

const checkpointPath = (run: CalibrationRun): string => run.checkpoint ?? `${run.out}.checkpoint.json`;

function calibrateBatches(run: CalibrationRun, header: CalibrationHeader, shard?: BatchShard): Promise<CalibrationProgress> {
  const identity = { ...checkpointIdentity(header, run.data.missing ?? []), ...(shard ? { shard } : {}) };
  if (run.restart) rmSync(checkpointPath(run), { force: true });
  return calibrationProgress({
    images: run.data.images,
    batchSize: run.batchSize,
    schedule: header.schedule.r,
    layout: header.layout,
    encodeBatch: run.encodeBatch,
    checkpoint: checkpointFile(checkpointPath(run), identity, run.restartOption ?? '--restart'),
    shard,
    onProgress: run.onProgress,
  });
}
