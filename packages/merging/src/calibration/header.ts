import { sha256 } from '@dymu/core';
import { THRESHOLD_FORMAT, type ThresholdFile } from '../threshold-file.ts';
import type { CalibrationProgress } from './calibrate.ts';
import type { CalibrationRun } from './calibration-run.ts';
import { blockThresholds } from './statistics.ts';

/** What a threshold file says about its calibration apart from the thresholds, the undecodable images and the time; every shard of a calibration has the same. */
export type CalibrationHeader = Omit<ThresholdFile, 'blocks' | 'createdAt' | 'data'> & { readonly data: Omit<ThresholdFile['data'], 'undecodable'> };

/** The header of a run: the images used (full batches only, hashed by name), the missing ones counted, schedule, batch size, layout, encoder, tool. */
export function calibrationHeader(run: Pick<CalibrationRun, 'encoder' | 'schedule' | 'batchSize' | 'data' | 'layout' | 'runningMean' | 'tool'>): CalibrationHeader {
  const used = run.data.images.slice(0, Math.floor(run.data.images.length / run.batchSize) * run.batchSize);
  return {
    format: THRESHOLD_FORMAT,
    encoder: run.encoder,
    schedule: { name: run.schedule.name, r: [...run.schedule.r] },
    batchSize: run.batchSize,
    data: { source: run.data.source, count: used.length, seed: run.data.seed, imagesSha256: sha256(used.join('\n')), missing: run.data.missing?.length ?? 0 },
    layout: run.layout ?? 'compact',
    runningMean: run.runningMean ?? 'float64',
    tool: run.tool,
  };
}

/** What a checkpoint must match to be resumed: weights, schedule, batch size, layout and data (with the names of the images missing at the start). */
export function checkpointIdentity(header: CalibrationHeader, missing: readonly string[]): Record<string, unknown> {
  const { data } = header;
  return {
    model: header.encoder.weightsSha256,
    schedule: header.schedule.r,
    batchSize: header.batchSize,
    layout: header.layout,
    data: { count: data.count, seed: data.seed, imagesSha256: data.imagesSha256, missing },
  };
}

/**
 * The threshold file of a calibration from τ_batch of all its batches in batch order
 * (`taus[batch][block]`) and the images they could not decode, fields in the file's order: one
 * process and merged shards build it here.
 */
export function thresholdFileOf(header: CalibrationHeader, { taus, undecodable }: CalibrationProgress): ThresholdFile {
  return {
    format: THRESHOLD_FORMAT,
    encoder: header.encoder,
    schedule: header.schedule,
    batchSize: header.batchSize,
    data: { ...header.data, undecodable: undecodable.length },
    layout: header.layout,
    runningMean: header.runningMean,
    blocks: blockThresholds(taus, header.schedule.r, header.runningMean),
    createdAt: new Date().toISOString(),
    tool: header.tool,
  };
}
