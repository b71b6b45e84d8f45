import { existsSync, rmSync } from 'node:fs';
import { sha256, type MergePolicy } from '@dymu/core';
import type { Schedule } from '../schedules.ts';
import { THRESHOLD_FORMAT, writeThresholdFile, type ThresholdFile } from '../threshold-file.ts';
import { calibrate } from './calibrate.ts';
import { checkpointFile } from './checkpoint-file.ts';
import { blockThresholds, type RunningMean } from './statistics.ts';

export interface CalibrationRun {
  readonly encoder: ThresholdFile['encoder'];
  readonly schedule: Schedule;
  readonly batchSize: number;
  /** The sampled images (as the source names them), the source, and the sampling seed. */
  readonly data: { readonly source: string; readonly images: readonly string[]; readonly seed: number };
  readonly encodeBatch: (images: string[], policy: MergePolicy) => Promise<void>;
  readonly out: string;
  /** Default: `<out>.checkpoint.json`. */
  readonly checkpoint?: string;
  readonly runningMean?: RunningMean;
  readonly tool: ThresholdFile['tool'];
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * A resumable calibration that ends in a threshold file: τ_batch per batch goes to the checkpoint
 * after every batch; only when all batches are done is the threshold file written (atomically) and
 * the checkpoint removed, so a crashed run never leaves a file that looks finished.
 */
export async function runCalibration(run: CalibrationRun): Promise<ThresholdFile> {
  const used = run.data.images.slice(0, Math.floor(run.data.images.length / run.batchSize) * run.batchSize);
  const data = { source: run.data.source, count: used.length, seed: run.data.seed, imagesSha256: sha256(used.join('\n')) };
  const schedule = { name: run.schedule.name, r: [...run.schedule.r] };
  const checkpoint = run.checkpoint ?? `${run.out}.checkpoint.json`;
  const identity = { model: run.encoder.weightsSha256, schedule: schedule.r, batchSize: run.batchSize, data: { count: data.count, seed: data.seed, imagesSha256: data.imagesSha256 } };
  const taus = await calibrate({
    images: run.data.images,
    batchSize: run.batchSize,
    schedule: schedule.r,
    encodeBatch: run.encodeBatch,
    checkpoint: checkpointFile(checkpoint, identity),
    onProgress: run.onProgress,
  });
  const runningMean = run.runningMean ?? 'float64';
  const file: ThresholdFile = {
    format: THRESHOLD_FORMAT,
    encoder: run.encoder,
    schedule,
    batchSize: run.batchSize,
    data,
    runningMean,
    blocks: blockThresholds(taus, schedule.r, runningMean),
    createdAt: new Date().toISOString(),
    tool: run.tool,
  };
  writeThresholdFile(run.out, file);
  if (existsSync(checkpoint)) rmSync(checkpoint);
  return file;
}
