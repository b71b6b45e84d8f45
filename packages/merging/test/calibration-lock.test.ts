import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MergePolicy } from '@dymu/core';
import { runCalibration, runCalibrationShard, sampleImages, shardFilePath, type CalibrationRun } from '../src/index.ts';
import { fakeEncoder } from './fake-encoder.ts';

const images = sampleImages(Array.from({ length: 16 }, (_, i) => `img${i}.jpg`), 0);

/** A calibration whose encoder logs `<who> <batch>` and yields between batches, so two at once would interleave. */
function calibration(out: string, who: string, log: string[]): CalibrationRun {
  const encode = fakeEncoder([]);
  return {
    encoder: { name: 'fake', arch: 'clip', weightsSha256: 'a'.repeat(64), blocks: 3 },
    schedule: { name: 'test', r: [2, 0, 2] },
    batchSize: 4,
    data: { source: 'imgs/', images, seed: 0 },
    encodeBatch: async (batch: string[], policy: MergePolicy) => {
      log.push(`${who} ${images.indexOf(batch[0]) / 4}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
      await encode(batch, policy);
    },
    out,
    tool: { name: 'dymu-ts', version: '0.0.0' },
  };
}

describe('a calibration started twice at once', () => {
  it('runs one after the other on the checkpoint (never interleaved), both ending in the same file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'calibration-lock-'));
    const out = join(dir, 'th.json');
    const log: string[] = [];
    const [a, b] = await Promise.all([runCalibration(calibration(out, 'a', log)), runCalibration(calibration(out, 'b', log))]);
    expect(log).toEqual(['a 0', 'a 1', 'a 2', 'a 3', 'b 0', 'b 1', 'b 2', 'b 3']);
    expect(b.blocks).toEqual(a.blocks);
    expect(JSON.parse(readFileSync(out, 'utf8')).blocks).toEqual(a.blocks);
    expect(readdirSync(dir)).toEqual(['th.json']); // no checkpoint, no lock left
  });

  it('as a shard: the second waits and keeps the first one\'s shard file', async () => {
    const thresholds = join(mkdtempSync(join(tmpdir(), 'calibration-lock-')), 'th.json');
    const shard = { index: 1, count: 2 };
    const path = shardFilePath(thresholds, shard);
    const log: string[] = [];
    const [a, b] = await Promise.all([runCalibrationShard(calibration(path, 'a', log), shard), runCalibrationShard(calibration(path, 'b', log), shard)]);
    expect(log).toEqual(['a 1', 'a 3']);
    expect(b).toEqual(a);
    expect(existsSync(`${path}.checkpoint.json.lock`)).toBe(false);
  });
});
