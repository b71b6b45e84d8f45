import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  mergeShards,
  readShardFiles,
  runCalibration,
  runCalibrationShard,
  sampleImages,
  shardBatches,
  shardDirectory,
  shardFilePath,
  writeThresholdFile,
  type BatchShard,
  type CalibrationLayout,
  type CalibrationRun,
  type RunningMean,
} from '../src/index.ts';
import { fakeEncoder } from './fake-encoder.ts';

const tmp = mkdtempSync(join(tmpdir(), 'dymu-calibration-shards-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// 23 images in batches of 4: 5 full batches, the last 3 images left out.
const images = sampleImages(Array.from({ length: 23 }, (_, i) => `img${String(i).padStart(2, '0')}.jpg`), 0);
// r = 3 at block 2 reaches past the real links of some batches (after block 0's merges): there the layouts part.
const calibration = (out: string, encodeBatch: CalibrationRun['encodeBatch'], runningMean: RunningMean = 'float64', seed = 0, layout?: CalibrationLayout): CalibrationRun => ({
  encoder: { name: 'fake', arch: 'clip', weightsSha256: 'a'.repeat(64), blocks: 3 },
  schedule: { name: 'test', r: [2, 0, 3] },
  layout,
  batchSize: 4,
  data: { source: 'imgs/', images, seed },
  encodeBatch,
  out,
  runningMean,
  tool: { name: 'dymu-ts', version: '0.0.0' },
});

/** Runs every shard of `count` into `<thresholds>.shards/`, last shard first. */
async function runShards(thresholds: string, count: number, runningMean: RunningMean = 'float64', log: string[][] = [], layout?: CalibrationLayout): Promise<void> {
  for (let index = count - 1; index >= 0; index--) {
    const shard = { index, count };
    await runCalibrationShard(calibration(shardFilePath(thresholds, shard), fakeEncoder(log), runningMean, 0, layout), shard);
  }
}

const withoutTime = (path: string) => readFileSync(path, 'utf8').replace(/"createdAt": "[^"]+"/, '"createdAt": ""');

describe('calibration shards', () => {
  it('split the batches: every n-th from i, disjoint, covering all (an extra shard gets none)', () => {
    const split = (total: number, count: number) => Array.from({ length: count }, (_, index) => shardBatches(total, { index, count }));
    expect(split(5, 2)).toEqual([[0, 2, 4], [1, 3]]);
    expect(split(5, 1)).toEqual([[0, 1, 2, 3, 4]]);
    expect(split(2, 3)).toEqual([[0], [1], []]);
  });

  it.each([
    [2, 'float64', 'compact'],
    [3, 'float64', 'compact'],
    [7, 'float64', 'compact'],
    [2, 'bf16', 'compact'],
    [2, 'float64', 'official'],
    [3, 'float64', 'official'],
    [7, 'float64', 'official'],
    [2, 'bf16', 'official'],
  ] as const)('%i shards (%s, %s layout) merge into exactly the file one process writes, byte for byte but createdAt', async (count, runningMean, layout) => {
    const single = join(tmp, `single-${runningMean}-${layout}.json`);
    await runCalibration(calibration(single, fakeEncoder([]), runningMean, 0, layout));
    const out = join(tmp, `sharded-${count}-${runningMean}-${layout}.json`);
    const log: string[][] = [];
    await runShards(out, count, runningMean, log, layout);
    expect(log.flat().sort()).toEqual(images.slice(0, 20).sort()); // every used image once, the leftover 3 never
    writeThresholdFile(out, mergeShards(readShardFiles([shardDirectory(out)])));
    expect(withoutTime(out)).toBe(withoutTime(single));
    expect(JSON.parse(readFileSync(out, 'utf8')).layout).toBe(layout);
  });

  it.each(['compact', 'official'] as const)('shards with undecodable images merge into the file one process writes (%s layout)', async (layout) => {
    const bad = /img0[38]|img1[15]/;
    const single = join(tmp, `undecodable-single-${layout}.json`);
    await runCalibration(calibration(single, fakeEncoder([], undefined, bad), 'float64', 0, layout));
    const out = join(tmp, `undecodable-sharded-${layout}.json`);
    for (const index of [0, 1, 2]) {
      const shard = { index, count: 3 };
      await runCalibrationShard(calibration(shardFilePath(out, shard), fakeEncoder([], undefined, bad), 'float64', 0, layout), shard);
    }
    writeThresholdFile(out, mergeShards(readShardFiles([shardDirectory(out)])));
    expect(withoutTime(out)).toBe(withoutTime(single));
    expect(JSON.parse(readFileSync(out, 'utf8')).data.undecodable).toBe(4);
  });

  it('the two layouts give different thresholds on these batches (so the test above is no tautology)', () => {
    const blocks = (layout: string) => JSON.parse(readFileSync(join(tmp, `single-float64-${layout}.json`), 'utf8')).blocks;
    const [compact, official] = [blocks('compact'), blocks('official')];
    expect(official[0].threshold).toBe(compact[0].threshold); // the first merging block ranks the same links
    expect(official[2].min).toBe(0); // some batch's R reaches past its real links: τ_batch = 0
    expect(compact[2].min).toBeGreaterThan(0);
  });

  it('writes per block the thresholds it saw, their count and the batch indices; a block with r = 0 has none', async () => {
    const out = join(tmp, 'partial.json');
    const shard = { index: 1, count: 2 };
    const file = await runCalibrationShard(calibration(shardFilePath(out, shard), fakeEncoder([])), shard);
    expect(file.totalBatches).toBe(5);
    expect(file.blocks.map(({ block, r, count, batches }) => ({ block, r, count, batches }))).toEqual([
      { block: 0, r: 2, count: 2, batches: [1, 3] },
      { block: 1, r: 0, count: 0, batches: [] },
      { block: 2, r: 3, count: 2, batches: [1, 3] },
    ]);
    expect(readShardFiles([shardFilePath(out, shard)])[0].file).toEqual(file);
  });

  it.each(['compact', 'official'] as const)("resumes a killed shard from its own checkpoint and refuses another shard's or layout's (%s layout)", async (layout) => {
    const out = join(tmp, `resumed-${layout}.json`);
    const shard: BatchShard = { index: 0, count: 2 };
    const path = shardFilePath(out, shard);
    const log: string[][] = [];
    await expect(runCalibrationShard(calibration(path, fakeEncoder(log, 2), 'float64', 0, layout), shard)).rejects.toThrow('killed');
    expect(existsSync(path)).toBe(false);
    await expect(runCalibrationShard(calibration(path, fakeEncoder([]), 'float64', 0, layout), { index: 1, count: 2 })).rejects.toThrow(`${path}.checkpoint.json: identity.shard: belongs to another calibration`);
    const other = layout === 'official' ? 'compact' : 'official';
    await expect(runCalibrationShard(calibration(path, fakeEncoder([]), 'float64', 0, other), shard)).rejects.toThrow(
      `${path}.checkpoint.json: identity.layout: belongs to another calibration ("${layout}", this run: "${other}"); run again with --restart to discard it and start over`,
    );
    const resumed = await runCalibrationShard(calibration(path, fakeEncoder(log), 'float64', 0, layout), shard);
    expect(log).toHaveLength(3); // batches 0, 2, 4: two before the crash, the last one after
    expect(existsSync(`${path}.checkpoint.json`)).toBe(false);
    const whole = join(tmp, `resumed-whole-${layout}.json`);
    const fresh = await runCalibrationShard(calibration(shardFilePath(whole, shard), fakeEncoder([]), 'float64', 0, layout), shard);
    expect(resumed.blocks).toEqual(fresh.blocks); // the resumed shard saw exactly what an uninterrupted one sees
  });

  it('keeps a finished shard of the same calibration and recomputes one of another', async () => {
    const out = join(tmp, 'kept.json');
    const shard: BatchShard = { index: 1, count: 2 };
    const path = shardFilePath(out, shard);
    const first = await runCalibrationShard(calibration(path, fakeEncoder([])), shard);
    const log: string[][] = [];
    expect(await runCalibrationShard(calibration(path, fakeEncoder(log)), shard)).toEqual(first);
    expect(log).toHaveLength(0);
    const reseeded = await runCalibrationShard(calibration(path, fakeEncoder(log), 'float64', 1), shard);
    expect(log).toHaveLength(2);
    expect(reseeded.calibration.data.seed).toBe(1);
  });

  it('refuses to merge incomplete, doubled or foreign shards, naming the file and the field', async () => {
    const out = join(tmp, 'checked.json');
    await runShards(out, 3);
    const dir = shardDirectory(out);
    const shards = readShardFiles([dir]);
    expect(() => mergeShards(shards.slice(1))).toThrow('--merge: shard 0 of 3 missing (have 1, 2)');
    expect(() => mergeShards([...shards, shards[1]])).toThrow(`${shards[1].path}: shard.index: shard 1 of 3 is given twice (also ${shards[1].path})`);
    const other = join(tmp, 'other.json');
    await runShards(other, 2);
    expect(() => mergeShards([...shards, ...readShardFiles([shardDirectory(other)])])).toThrow(`${shardFilePath(other, { index: 0, count: 2 })}: shard.count: ${shards[0].path} is a shard of 3`);
    const reseeded = join(tmp, 'reseeded.json');
    const shard = { index: 0, count: 3 };
    await runCalibrationShard(calibration(shardFilePath(reseeded, shard), fakeEncoder([]), 'float64', 1), shard);
    expect(() => mergeShards([...readShardFiles([shardFilePath(reseeded, shard)]), ...shards.slice(1)])).toThrow(`${shards[1].path}: calibration.data: belongs to another calibration than ${shardFilePath(reseeded, shard)}`);
    const edited = JSON.parse(readFileSync(shards[2].path, 'utf8'));
    edited.blocks[2].taus[0] = 'high';
    writeFileSync(shards[2].path, JSON.stringify(edited));
    expect(() => readShardFiles([dir])).toThrow(`${shards[2].path}: blocks[2].taus[0]: expected a finite number, got "high"`);
    edited.blocks[2].taus[0] = 0.5;
    edited.blocks[2].batches = [1];
    writeFileSync(shards[2].path, JSON.stringify(edited));
    expect(() => readShardFiles([dir])).toThrow(`${shards[2].path}: blocks[2].batches: expected this shard's batches [2], got [1]`);
  });
});
