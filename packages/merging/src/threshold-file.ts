import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '@dymu/core';
import { weightsSha256 } from './weights-hash.ts';
import { CALIBRATION_LAYOUTS, type CalibrationLayout } from './calibration/layout.ts';
import type { BlockThreshold, RunningMean } from './calibration/statistics.ts';
import { array, at, fail, finite, integer, object, oneOf, string, type Where } from './fields.ts';

export const THRESHOLD_FORMAT = 'dymu-thresholds/1';

/** A calibrated DToMe threshold file (schema in the package README). */
export interface ThresholdFile {
  readonly format: typeof THRESHOLD_FORMAT;
  readonly encoder: { readonly name: string; readonly arch: string; readonly weightsSha256: string; readonly blocks: number };
  readonly schedule: { readonly name: string; readonly r: readonly number[] };
  readonly batchSize: number;
  /**
   * `missing`: entries of the source whose images were not there at the start (left out before
   * sampling); `undecodable`: sampled images that could not be decoded (left out of their batch).
   */
  readonly data: { readonly source: string; readonly count: number; readonly seed: number; readonly imagesSha256: string; readonly missing: number; readonly undecodable: number };
  /** The batch layout that made the thresholds (DYMU.md §3b); files written before it existed are `compact`. */
  readonly layout: CalibrationLayout;
  readonly runningMean: RunningMean;
  readonly blocks: readonly BlockThreshold[];
  readonly createdAt: string;
  readonly tool: { readonly name: string; readonly version: string };
}

export function writeThresholdFile(path: string, file: ThresholdFile): void {
  writeFileAtomic(path, `${JSON.stringify(file, null, 2)}\n`);
}

/** Reads a threshold file and, given the model directory, checks it was calibrated on those weights. */
export async function loadThresholdFile(path: string, options: { model?: string; force?: boolean } = {}): Promise<{ file: ThresholdFile; warning?: string }> {
  const file = readThresholdFile(path);
  const warning = options.model === undefined ? undefined : checkEncoderHash(file, path, await weightsSha256(options.model), options.force);
  return { file, warning };
}

/** DToMe's per-block thresholds (null: the block never merges). */
export function thresholdsOf(file: ThresholdFile): (number | null)[] {
  return file.blocks.map((b) => b.threshold);
}

/** Reads and validates a threshold file; every error names the file and the field. */
export function readThresholdFile(path: string): ThresholdFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    fail({ file: path, field: '' }, `cannot read a JSON threshold file (${(error as Error).message})`);
  }
  return parseThresholdFile(raw, path);
}

export function parseThresholdFile(raw: unknown, path: string): ThresholdFile {
  const where = (field: string): Where => ({ file: path, field });
  const o = object(raw, where(''), ['format', 'encoder', 'schedule', 'batchSize', 'data', 'layout', 'runningMean', 'blocks', 'createdAt', 'tool']);
  if (o.format !== THRESHOLD_FORMAT) fail(where('format'), `expected "${THRESHOLD_FORMAT}", got ${JSON.stringify(o.format)}`);
  const e = object(o.encoder, where('encoder'), ['name', 'arch', 'weightsSha256', 'blocks']);
  const encoder = {
    name: string(e.name, where('encoder.name')),
    arch: string(e.arch, where('encoder.arch')),
    weightsSha256: sha(e.weightsSha256, where('encoder.weightsSha256')),
    blocks: integer(e.blocks, where('encoder.blocks'), 1),
  };
  const s = object(o.schedule, where('schedule'), ['name', 'r']);
  const r = array(s.r, where('schedule.r'), encoder.blocks).map((v, i) => integer(v, where(`schedule.r[${i}]`)));
  const d = object(o.data, where('data'), ['source', 'count', 'seed', 'imagesSha256', 'missing', 'undecodable']);
  const blocks = array(o.blocks, where('blocks'), encoder.blocks).map((v, i) => blockThreshold(v, where(`blocks[${i}]`), i, r[i]));
  const t = object(o.tool, where('tool'), ['name', 'version']);
  return {
    format: THRESHOLD_FORMAT,
    encoder,
    schedule: { name: string(s.name, where('schedule.name')), r },
    batchSize: integer(o.batchSize, where('batchSize'), 1),
    data: {
      source: string(d.source, where('data.source')),
      count: integer(d.count, where('data.count'), 1),
      seed: integer(d.seed, where('data.seed')),
      imagesSha256: sha(d.imagesSha256, where('data.imagesSha256')),
      missing: d.missing === undefined ? 0 : integer(d.missing, where('data.missing')),
      undecodable: d.undecodable === undefined ? 0 : integer(d.undecodable, where('data.undecodable')),
    },
    layout: o.layout === undefined ? 'compact' : oneOf(o.layout, CALIBRATION_LAYOUTS, where('layout')),
    runningMean: oneOf(o.runningMean, ['float64', 'bf16'] as const, where('runningMean')),
    blocks,
    createdAt: string(o.createdAt, where('createdAt')),
    tool: { name: string(t.name, where('tool.name')), version: string(t.version, where('tool.version')) },
  };
}

function blockThreshold(raw: unknown, where: Where, block: number, r: number): BlockThreshold {
  const o = object(raw, where, ['block', 'r', 'threshold', 'mean', 'std', 'min', 'max', 'batches']);
  if (o.block !== block) fail(at(where, 'block'), `expected ${block}, got ${JSON.stringify(o.block)}`);
  if (o.r !== r) fail(at(where, 'r'), `expected ${r} (schedule.r[${block}]), got ${JSON.stringify(o.r)}`);
  const batches = integer(o.batches, at(where, 'batches'));
  const calibrated = r > 0;
  if (calibrated !== batches > 0) fail(at(where, 'batches'), calibrated ? 'a block with r > 0 needs at least one batch' : 'a block with r = 0 is not calibrated');
  const value = (key: 'threshold' | 'mean' | 'std' | 'min' | 'max') => {
    if (!calibrated) {
      if (o[key] !== null) fail(at(where, key), `expected null (r = 0: the block never merges), got ${JSON.stringify(o[key])}`);
      return null;
    }
    return finite(o[key], at(where, key));
  };
  return { block, r, threshold: value('threshold'), mean: value('mean'), std: value('std'), min: value('min'), max: value('max'), batches };
}

function sha(value: unknown, where: Where): string {
  if (typeof value !== 'string' || !/^[0-9a-f]{64}$/.test(value)) fail(where, `expected a sha256 in hex, got ${JSON.stringify(value)}`);
  return value;
}

/**
 * Checks that a threshold file was calibrated on these weights. A mismatch is an error unless
 * forced; forced, the warning is returned for the caller to show.
 */
export function checkEncoderHash(file: ThresholdFile, path: string, weightsSha256: string, force = false): string | undefined {
  if (file.encoder.weightsSha256 === weightsSha256) return undefined;
  const message = `calibrated on weights ${file.encoder.weightsSha256.slice(0, 12)}…, the model has ${weightsSha256.slice(0, 12)}…`;
  if (!force) fail({ file: path, field: 'encoder.weightsSha256' }, `${message} (force to use it anyway)`);
  return `${path}: encoder.weightsSha256: ${message}; used anyway (forced)`;
}
