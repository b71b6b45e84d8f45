import { canonicalJson } from '@dymu/core';
import { fail } from '../fields.ts';
import { parseThresholdFile, type ThresholdFile } from '../threshold-file.ts';
import { thresholdFileOf } from './header.ts';
import type { CalibrationShardFile } from './shard-file.ts';

/**
 * Combines the shard files of one calibration into exactly the threshold file one process over the
 * same batches writes (τ_i the float64 mean, or the bf16 running mean, over all batches in batch
 * order). Checks that the shards belong to one calibration (the same header, shard count and
 * batches) and that every shard is there exactly once; errors name the file and the field.
 */
export function mergeShards(shards: readonly { path: string; file: CalibrationShardFile }[]): ThresholdFile {
  if (shards.length === 0) fail({ field: '--merge' }, 'no shard files to merge');
  const [first] = shards;
  const { count } = first.file.shard;
  const seen = new Map<number, string>();
  for (const { path, file } of shards) {
    const where = (field: string) => ({ file: path, field });
    for (const key of new Set([...Object.keys(first.file.calibration), ...Object.keys(file.calibration)])) {
      const [mine, theirs] = [file.calibration, first.file.calibration].map((c) => canonicalJson((c as unknown as Record<string, unknown>)[key]));
      if (mine !== theirs) fail(where(`calibration.${key}`), `belongs to another calibration than ${first.path} (${mine}, there: ${theirs})`);
    }
    if (file.shard.count !== count) fail(where('shard.count'), `${first.path} is a shard of ${count}, this one of ${file.shard.count}; merge the shards of one split`);
    if (file.totalBatches !== first.file.totalBatches) fail(where('totalBatches'), `expected ${first.file.totalBatches} (${first.path}), got ${file.totalBatches}`);
    const twin = seen.get(file.shard.index);
    if (twin !== undefined) fail(where('shard.index'), `shard ${file.shard.index} of ${count} is given twice (also ${twin})`);
    seen.set(file.shard.index, path);
  }
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !seen.has(i));
  if (missing.length > 0) fail({ field: '--merge' }, `shard${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of ${count} missing (have ${[...seen.keys()].sort((a, b) => a - b).join(', ')})`);

  const { r } = first.file.calibration.schedule;
  const taus: (number | null)[][] = Array.from({ length: first.file.totalBatches }, () => r.map(() => null));
  for (const { file } of shards) for (const b of file.blocks) b.batches.forEach((batch, k) => (taus[batch][b.block] = b.taus[k]));
  const undecodable = [...shards].sort((x, y) => x.file.shard.index - y.file.shard.index).flatMap(({ file }) => file.undecodable);
  const merged = thresholdFileOf(first.file.calibration, { taus, undecodable });
  parseThresholdFile(merged, first.path);
  return merged;
}
