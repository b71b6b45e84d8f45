import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson, DymuError, writeFileAtomic } from '@dymu/core';
import { array, at, fail, finite, integer, object, string, type Where } from '../fields.ts';
import { shardBatches, type BatchShard } from './batch-shard.ts';
import type { CalibrationProgress } from './calibrate.ts';
import type { CalibrationHeader } from './header.ts';

export const SHARD_FORMAT = 'dymu-calibration-shard/1';

/** One block of a shard: τ_batch of the shard's batches (none where r = 0), with the batch indices and their count. */
export interface ShardBlock {
  readonly block: number;
  readonly r: number;
  readonly count: number;
  readonly batches: readonly number[];
  readonly taus: readonly number[];
}

/** The partial statistics of one calibration shard (`dymu-calibration-shard/1`). */
export interface CalibrationShardFile {
  readonly format: typeof SHARD_FORMAT;
  readonly shard: BatchShard;
  /** Batches of the whole calibration. */
  readonly totalBatches: number;
  readonly calibration: CalibrationHeader;
  readonly blocks: readonly ShardBlock[];
  /** The images of the shard's batches that could not be decoded (left out of their batch). */
  readonly undecodable: readonly string[];
}

/** `<thresholds>.shards/`: where the shards of a calibration put their files (and checkpoints). */
export const shardDirectory = (thresholds: string): string => `${thresholds}.shards`;

/** `<thresholds>.shards/shard-<i>-of-<n>.json` */
export const shardFilePath = (thresholds: string, shard: BatchShard): string => join(shardDirectory(thresholds), `shard-${shard.index}-of-${shard.count}.json`);

const SHARD_FILE = /^shard-\d+-of-\d+\.json$/;

/** The shard file of `taus[k][block]`, τ_batch of the shard's k-th batch, and its undecodable images. */
export function shardFileOf(header: CalibrationHeader, shard: BatchShard, { taus, undecodable }: CalibrationProgress): CalibrationShardFile {
  const totalBatches = header.data.count / header.batchSize;
  const batches = shardBatches(totalBatches, shard);
  const blocks = header.schedule.r.map((r, block) => {
    const seen = r > 0 ? batches : [];
    return { block, r, count: seen.length, batches: seen, taus: seen.map((_, k) => taus[k][block]!) };
  });
  return { format: SHARD_FORMAT, shard, totalBatches, calibration: header, blocks, undecodable };
}

export function writeShardFile(path: string, file: CalibrationShardFile): void {
  writeFileAtomic(path, `${JSON.stringify(file, null, 1)}\n`);
}

/** Whether `path` holds shard `shard` of the calibration `header`, finished (a file of another calibration, or unreadable, does not count). */
export function isFinishedShardFile(path: string, header: CalibrationHeader, shard: BatchShard): boolean {
  if (!existsSync(path)) return false;
  try {
    const file = readShardFile(path);
    return file.shard.index === shard.index && file.shard.count === shard.count && canonicalJson(file.calibration) === canonicalJson(header);
  } catch {
    return false;
  }
}

/** Shard files, each path a file or a directory (its `shard-<i>-of-<n>.json` files), read and validated. */
export function readShardFiles(paths: readonly string[]): { path: string; file: CalibrationShardFile }[] {
  const files = paths.flatMap((path) => {
    if (!existsSync(path)) throw new DymuError('not found (expected a shard file or a directory of them)', { file: path });
    if (!statSync(path).isDirectory()) return [path];
    const found = readdirSync(path).filter((f) => SHARD_FILE.test(f)).sort().map((f) => join(path, f));
    if (found.length === 0) throw new DymuError('holds no shard files (shard-<i>-of-<n>.json)', { file: path });
    return found;
  });
  return files.map((path) => ({ path, file: readShardFile(path) }));
}

/**
 * Reads and validates a shard file (errors name the file and the field): its blocks follow the
 * schedule, and every block with r > 0 holds a finite τ for exactly the shard's batches. The
 * calibration header is validated once merged, as the threshold file.
 */
export function readShardFile(path: string): CalibrationShardFile {
  const where = (field: string): Where => ({ file: path, field });
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    fail(where(''), `cannot read a JSON shard file (${(error as Error).message})`);
  }
  const o = object(raw, where(''), ['format', 'shard', 'totalBatches', 'calibration', 'blocks', 'undecodable']);
  if (o.format !== SHARD_FORMAT) fail(where('format'), `expected "${SHARD_FORMAT}", got ${JSON.stringify(o.format)}`);
  const s = object(o.shard, where('shard'), ['index', 'count']);
  const count = integer(s.count, where('shard.count'), 1);
  const shard = { index: integer(s.index, where('shard.index')), count };
  if (shard.index >= count) fail(where('shard.index'), `expected < shard.count (${count}), got ${shard.index}`);
  const totalBatches = integer(o.totalBatches, where('totalBatches'), 1);
  const calibration = object(o.calibration, where('calibration'));
  const schedule = object(calibration.schedule, where('calibration.schedule'));
  const r = array(schedule.r, where('calibration.schedule.r')).map((v, i) => integer(v, where(`calibration.schedule.r[${i}]`)));
  const expected = shardBatches(totalBatches, shard);
  const blocks = array(o.blocks, where('blocks'), r.length).map((v, i) => shardBlock(v, at(where('blocks'), i), i, r[i], r[i] > 0 ? expected : []));
  const undecodable = o.undecodable === undefined ? [] : array(o.undecodable, where('undecodable')).map((v, i) => string(v, at(where('undecodable'), i)));
  return { format: SHARD_FORMAT, shard, totalBatches, calibration: calibration as unknown as CalibrationHeader, blocks, undecodable };
}

function shardBlock(raw: unknown, where: Where, block: number, r: number, expected: readonly number[]): ShardBlock {
  const o = object(raw, where, ['block', 'r', 'count', 'batches', 'taus']);
  if (o.block !== block) fail(at(where, 'block'), `expected ${block}, got ${JSON.stringify(o.block)}`);
  if (o.r !== r) fail(at(where, 'r'), `expected ${r} (calibration.schedule.r[${block}]), got ${JSON.stringify(o.r)}`);
  const batches = array(o.batches, at(where, 'batches')).map((v, k) => integer(v, at(at(where, 'batches'), k)));
  if (batches.join() !== expected.join()) fail(at(where, 'batches'), `expected this shard's batches [${expected.join(', ')}], got [${batches.join(', ')}]`);
  const taus = array(o.taus, at(where, 'taus'), batches.length).map((v, k) => finite(v, at(at(where, 'taus'), k)));
  if (o.count !== batches.length) fail(at(where, 'count'), `expected ${batches.length} (the batches listed), got ${JSON.stringify(o.count)}`);
  return { block, r, count: batches.length, batches, taus };
}
