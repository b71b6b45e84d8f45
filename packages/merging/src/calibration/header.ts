import { sha256 } from '@dymu/core';
import { THRESHOLD_FORMAT, type ThresholdFile } from '../threshold-file.ts';
import type { CalibrationRun } from './calibration-run.ts';
import { blockThresholds } from './statistics.ts';

/** What a threshold file says about its calibration apart from the thresholds and the time; every shard of a calibration has the same. */
export type CalibrationHeader = Omit<ThresholdFile, 'blocks' | 'createdAt'>;

/** The header of a run: the images used (full batches only, hashed by name), schedule, batch size, encoder, tool. */
export function calibrationHeader(run: Pick<CalibrationRun, 'encoder' | 'schedule' | 'batchSize' | 'data' | 'runningMean' | 'tool'>): CalibrationHeader {
  const used = run.data.images.slice(0, Math.floor(run.data.images.length / run.batchSize) * run.batchSize);
  return {
    format: THRESHOLD_FORMAT,
    encoder: run.encoder,
    schedule: { name: run.schedule.name, r: [...run.schedule.r] },
    batchSize: run.batchSize,
    data: { source: run.data.source, count: used.length, seed: run.data.seed, imagesSha256: sha256(used.join('\n')) },
    runningMean: run.runningMean ?? 'float64',
    tool: run.tool,
  };
}

/** What a checkpoint must match to be resumed: weights, schedule, batch size and data. */
export function checkpointIdentity(header: CalibrationHeader): Record<string, unknown> {
  const { data } = header;
  return { model: header.encoder.weightsSha256, schedule: header.schedule.r, batchSize: header.batchSize, data: { count: data.count, seed: data.seed, imagesSha256: data.imagesSha256 } };
}

/**
 * The threshold file of a calibration from τ_batch of all its batches in batch order
 * (`taus[batch][block]`), fields in the file's order: one process and merged shards build it here.
 */
export function thresholdFileOf(header: CalibrationHeader, taus: readonly (readonly (number | null)[])[]): ThresholdFile {
  return {
    format: THRESHOLD_FORMAT,
    encoder: header.encoder,
    schedule: header.schedule,
    batchSize: header.batchSize,
    data: header.data,
    runningMean: header.runningMean,
    blocks: blockThresholds(taus, header.schedule.r, header.runningMean),
    createdAt: new Date().toISOString(),
    tool: header.tool,
  };
}
