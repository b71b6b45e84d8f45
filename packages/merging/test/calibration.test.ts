import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DymuError, sha256, sha256File } from '@dymu/core';
import {
  batchThreshold,
  bf16RunningMean,
  blockThresholds,
  checkEncoderHash,
  createPolicy,
  firstNames,
  links,
  loadThresholdFile,
  missingImagesWarning,
  presentImages,
  readImageSource,
  readThresholdFile,
  runCalibration,
  sampleImages,
  thresholdsOf,
  toBf16,
  weightsSha256,
  writeThresholdFile,
  type CalibrationRun,
  type ThresholdFile,
} from '../src/index.ts';
import { fakeEncoder } from './fake-encoder.ts';

const tmp = mkdtempSync(join(tmpdir(), 'dymu-calibration-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const link = (scores: number[], classToken = false) => links(Float32Array.from(scores), new Int32Array(scores.length), classToken);

describe('batch threshold (DYMU.md §3)', () => {
  const batch = [link([9, 0.9, 0.5, 0.8], true), link([0.95, 0.7, 0.85]), link([0.6, 0.75])];
  it('ranks all links of the batch together: τ_batch is the score at index R, the top R merge where they fall', () => {
    const { threshold, counts } = batchThreshold(batch, 4);
    expect(threshold).toBeCloseTo(0.75, 6); // 0.95, 0.9, 0.85, 0.8 | 0.75
    expect(Array.from(counts)).toEqual([2, 2, 0]);
    const strict = batch.reduce((n, l) => n + Array.from(l.best).filter((s) => s > threshold).length, 0);
    expect(strict).toBe(4);
  });

  it('takes the last score when there are fewer links than R, clamps at 0, and skips class tokens', () => {
    expect(batchThreshold(batch, 50).threshold).toBeCloseTo(0.5, 6);
    expect(Array.from(batchThreshold(batch, 50).counts)).toEqual([3, 3, 2]);
    expect(batchThreshold([link([-0.3, -0.2, 0.4])], 1).threshold).toBe(0);
  });
});

describe('threshold statistics', () => {
  it('per block: float64 mean, population std, min, max, batch count; null where r_i = 0', () => {
    const [b0, b1] = blockThresholds([[0.5, null], [0.7, null], [0.9, null]], [4, 0]);
    expect(b0).toEqual({ block: 0, r: 4, threshold: b0.mean, mean: (0.5 + 0.7 + 0.9) / 3, std: Math.sqrt(0.08 / 3), min: 0.5, max: 0.9, batches: 3 });
    expect(b1).toEqual({ block: 1, r: 0, threshold: null, mean: null, std: null, min: null, max: null, batches: 0 });
  });

  it('bf16 emulation: round to nearest even, and the official running mean computed in bf16', () => {
    expect([toBf16(0.99609375), toBf16(1 / 3), toBf16(1 + 2 ** -8), toBf16(1 + 3 * 2 ** -8)]).toEqual([0.99609375, 0.333984375, 1, 1 + 2 ** -6]);
    // m = bf16(0.9) = 0.8984375; m·1 + bf16(0.8) = 0.8984375 + 0.80078125 = 1.69921875 → 1.703125 (a tie, to even); / 2 = 0.8515625.
    expect(bf16RunningMean([0.9, 0.8])).toBe(0.8515625);
    // It tracks the mean over a few dozen batches, then stalls: once m·n passes 256 the bf16 sum no longer moves by τ ≈ 0.8.
    const stats = (n: number) => blockThresholds(Array.from({ length: n }, (_, i) => [0.8 + 0.1 * Math.sin(i)]), [1], 'bf16')[0];
    expect(Math.abs(stats(50).threshold! - stats(50).mean!)).toBeLessThan(0.01);
    expect(stats(1000).threshold).toBeLessThan(0.5);
    expect(stats(1000).mean).toBeCloseTo(0.8, 3);
  });
});

describe('calibration run', () => {
  const images = sampleImages(Array.from({ length: 23 }, (_, i) => `img${String(i).padStart(2, '0')}.jpg`), 0);
  const encoder = { name: 'fake', arch: 'clip', weightsSha256: 'a'.repeat(64), blocks: 3 };
  const run = (out: string, encodeBatch: CalibrationRun['encodeBatch'], batchSize = 4): Promise<ThresholdFile> =>
    runCalibration({ encoder, schedule: { name: 'test', r: [2, 0, 1] }, batchSize, data: { source: 'imgs/', images, seed: 0 }, encodeBatch, out, tool: { name: 'dymu-ts', version: '0.0.0' } });

  it('samples with the seed and writes the threshold file; an incomplete last batch is left out', async () => {
    expect(sampleImages(images, 1, 5)).toEqual(sampleImages(images, 1, 5));
    expect(sampleImages(images, 1, 5)).not.toEqual(sampleImages(images, 2, 5));
    const log: string[][] = [];
    const file = await run(join(tmp, 'full.json'), fakeEncoder(log));
    expect(log.map((b) => b.length)).toEqual([4, 4, 4, 4, 4]);
    expect(file.data).toEqual({ source: 'imgs/', count: 20, seed: 0, imagesSha256: sha256(images.slice(0, 20).join('\n')), missing: 0, undecodable: 0 });
    expect(file.layout).toBe('compact');
    expect(file.blocks.map((b) => [b.batches, b.threshold === null])).toEqual([[5, false], [0, true], [5, false]]);
    expect(readThresholdFile(join(tmp, 'full.json'))).toEqual(file);
    expect(existsSync(join(tmp, 'full.json.checkpoint.json'))).toBe(false);
  });

  it('resumes a killed run from its checkpoint and ends with the same thresholds; nothing looks finished before', async () => {
    const out = join(tmp, 'resumed.json');
    const log: string[][] = [];
    await expect(run(out, fakeEncoder(log, 3))).rejects.toThrow('killed');
    expect(existsSync(out)).toBe(false);
    expect(JSON.parse(readFileSync(`${out}.checkpoint.json`, 'utf8')).taus).toHaveLength(3);
    const resumed = await run(out, fakeEncoder(log));
    expect(log).toHaveLength(5);
    expect(resumed.blocks).toEqual(readThresholdFile(join(tmp, 'full.json')).blocks);
  });

  it("refuses another calibration's checkpoint, naming the file and field", async () => {
    const out = join(tmp, 'other.json');
    await expect(run(out, fakeEncoder([], 1))).rejects.toThrow('killed');
    await expect(run(out, fakeEncoder([]), 5)).rejects.toThrow(`${out}.checkpoint.json: identity.batchSize: belongs to another calibration (4, this run: 5)`);
  });
});

describe('missing calibration images', () => {
  it('are left out before sampling and counted; a checkpoint made with other images present names the change and --restart', async () => {
    const dir = join(tmp, 'partial-images');
    mkdirSync(dir, { recursive: true });
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((n) => `${n}.jpg`);
    for (const name of names) if (name !== 'c.jpg' && name !== 'e.jpg') writeFileSync(join(dir, name), 'jpeg');
    const at = (name: string) => join(dir, name);
    const before = presentImages(names, at);
    expect(before).toEqual({ present: ['a.jpg', 'b.jpg', 'd.jpg', 'f.jpg', 'g.jpg', 'h.jpg'], missing: ['c.jpg', 'e.jpg'] });
    expect(missingImagesWarning(before.missing, names.length, 'list.txt')).toBe('2 of the 8 calibration images of list.txt are missing and left out before sampling: c.jpg, e.jpg');
    expect(firstNames(['1', '2', '3', '4', '5', '6', '7'])).toBe('1, 2, 3, 4, 5, … 2 more');

    const out = join(tmp, 'missing.json');
    const calibrateOn = (found: { present: string[]; missing: string[] }, encodeBatch: CalibrationRun['encodeBatch'], restart?: boolean) =>
      runCalibration({
        encoder: { name: 'fake', arch: 'clip', weightsSha256: 'a'.repeat(64), blocks: 3 },
        schedule: { name: 'test', r: [2, 0, 1] },
        batchSize: 2,
        data: { source: 'list.txt', images: sampleImages(found.present, 0), seed: 0, missing: found.missing },
        encodeBatch,
        out,
        restart,
        tool: { name: 'dymu-ts', version: '0.0.0' },
      });
    await expect(calibrateOn(before, fakeEncoder([], 1))).rejects.toThrow('killed');
    writeFileSync(at('c.jpg'), 'jpeg'); // restored after the crash
    const after = presentImages(names, at);
    await expect(calibrateOn(after, fakeEncoder([]))).rejects.toThrow(
      `${out}.checkpoint.json: identity.data: the calibration data changed since this checkpoint was written: 1 image missing then is there now (c.jpg); run again with --restart to discard it and start over`,
    );
    const log: string[][] = [];
    const file = await calibrateOn(after, fakeEncoder(log), true);
    expect(log).toHaveLength(3); // 7 images in batches of 2: every batch computed again
    expect(file.data.count).toBe(6);
    expect(file.data.missing).toBe(1);
  });
});

describe('undecodable calibration images', () => {
  const images = sampleImages(Array.from({ length: 23 }, (_, i) => `img${String(i).padStart(2, '0')}.jpg`), 0);
  const bad = /img0[38]|img1[15]/; // 4 of the 20 used images, in 3 of the 5 batches (and none of the 3 left over)
  const run = (out: string, encodeBatch: CalibrationRun['encodeBatch']) =>
    runCalibration({ encoder: { name: 'fake', arch: 'clip', weightsSha256: 'a'.repeat(64), blocks: 3 }, schedule: { name: 'test', r: [2, 0, 1] }, batchSize: 4, data: { source: 'imgs/', images, seed: 0 }, encodeBatch, out, tool: { name: 'dymu-ts', version: '0.0.0' } });

  it('are left out of their batch (which ranks the links of the images left) and counted; a resumed run keeps the count', async () => {
    const log: string[][] = [];
    const file = await run(join(tmp, 'undecodable.json'), fakeEncoder(log, undefined, bad));
    const used = images.slice(0, 20);
    expect(used.filter((name) => bad.test(name))).toHaveLength(4);
    expect(log.map((b) => b.length)).toEqual(used.reduce<number[]>((sizes, name, i) => ((sizes[Math.floor(i / 4)] = (sizes[Math.floor(i / 4)] ?? 0) + (bad.test(name) ? 0 : 1)), sizes), []));
    expect(file.data).toMatchObject({ count: 20, undecodable: 4 });
    const out = join(tmp, 'undecodable-resumed.json');
    await expect(run(out, fakeEncoder([], 3, bad))).rejects.toThrow('killed');
    const resumed = await run(out, fakeEncoder([], undefined, bad));
    expect(resumed.data.undecodable).toBe(4);
    expect(resumed.blocks).toEqual(file.blocks);
  });

  it('a batch none of whose images decodes is an error naming them', async () => {
    await expect(run(join(tmp, 'none.json'), fakeEncoder([], undefined, /img/))).rejects.toThrow(/images: no image of batch 0 decodes \(img\d\d\.jpg, img\d\d\.jpg, img\d\d\.jpg, img\d\d\.jpg\)/);
  });
});

describe('threshold file', () => {
  const model = join(tmp, 'model');
  mkdirSync(model, { recursive: true });
  writeFileSync(join(model, 'model.safetensors'), 'weights');
  const base = (): ThresholdFile => readThresholdFile(join(tmp, 'full.json'));

  it('hashes the weights: the file for one, the sha256sum listing for shards', async () => {
    expect(await weightsSha256(model)).toBe(await sha256File(join(model, 'model.safetensors')));
    const sharded = join(tmp, 'sharded');
    mkdirSync(sharded);
    writeFileSync(join(sharded, 'model-00002-of-00002.safetensors'), 'b');
    writeFileSync(join(sharded, 'model-00001-of-00002.safetensors'), 'a');
    expect(await weightsSha256(sharded)).toBe(sha256(`${sha256('a')}  model-00001-of-00002.safetensors\n${sha256('b')}  model-00002-of-00002.safetensors\n`));
    const bin = join(tmp, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'pytorch_model.bin'), 'torch');
    writeFileSync(join(bin, 'config.json'), '{}');
    expect(await weightsSha256(bin)).toBe(sha256('torch'));
    const none = join(tmp, 'no-weights');
    mkdirSync(none);
    writeFileSync(join(none, 'config.json'), '{}');
    await expect(weightsSha256(none)).rejects.toThrow(/no-weights.*holds no weight file/);
  });

  it('validates every field, naming the file and the field', () => {
    const path = join(tmp, 'bad.json');
    const cases: [(f: Record<string, any>) => void, string][] = [
      [(f) => (f.format = 'thresholds'), 'format: expected "dymu-thresholds/1"'],
      [(f) => (f.blocks[2].threshold = 'x'), 'blocks[2].threshold: expected a finite number, got "x"'],
      [(f) => (f.blocks[1].threshold = 0.5), 'blocks[1].threshold: expected null (r = 0: the block never merges), got 0.5'],
      [(f) => f.blocks.pop(), 'blocks: expected 3 entries, got 2'],
      [(f) => (f.schedule.r[0] = 3), 'blocks[0].r: expected 3 (schedule.r[0]), got 2'],
      [(f) => (f.encoder.weightsSha256 = 'abc'), 'encoder.weightsSha256: expected a sha256 in hex'],
      [(f) => (f.data.extra = 1), 'data.extra: unknown field'],
      [(f) => (f.layout = 'padded'), 'layout: expected one of official, compact, got "padded"'],
      [(f) => (f.data.missing = -1), 'data.missing: expected an integer ≥ 0'],
    ];
    for (const [edit, message] of cases) {
      const f = structuredClone(base()) as Record<string, any>;
      edit(f);
      writeFileSync(path, JSON.stringify(f));
      expect(() => readThresholdFile(path)).toThrow(`${path}: ${message}`);
    }
    writeFileSync(path, '{');
    expect(() => readThresholdFile(path)).toThrow(DymuError);
    // a file written before layouts and missing counts existed reads as compact, none missing
    const old = structuredClone(base()) as Record<string, any>;
    delete old.layout;
    delete old.data.missing;
    writeFileSync(path, JSON.stringify(old));
    expect(readThresholdFile(path)).toMatchObject({ layout: 'compact', data: { missing: 0 } });
  });

  it('checks the encoder hash against a model: a mismatch is an error unless forced', async () => {
    const path = join(tmp, 'checked.json');
    writeThresholdFile(path, base());
    expect(thresholdsOf(base())).toEqual(base().blocks.map((b) => b.threshold));
    await expect(loadThresholdFile(path, { model })).rejects.toThrow(`${path}: encoder.weightsSha256: calibrated on weights aaaaaaaaaaaa…`);
    expect((await loadThresholdFile(path, { model, force: true })).warning).toContain('used anyway (forced)');
    writeThresholdFile(path, { ...base(), encoder: { ...base().encoder, weightsSha256: await weightsSha256(model) } });
    expect((await loadThresholdFile(path, { model })).warning).toBeUndefined();
    expect(checkEncoderHash(base(), path, 'a'.repeat(64))).toBeUndefined();
  });

  it('feeds the dtome policy of the registry, which checks the hash the environment knows', () => {
    const path = join(tmp, 'registry.json');
    writeThresholdFile(path, base());
    const warnings: string[] = [];
    const env = { encoder: { arch: 'clip' as const, imageSize: 64, patchSize: 8, hiddenSize: 64, numLayers: 3, patches: 64, weightsSha256: 'b'.repeat(64) }, warn: (m: string) => warnings.push(m) };
    expect(() => createPolicy('dtome', { file: path }, env)).toThrow(`${path}: encoder.weightsSha256`);
    expect(createPolicy('dtome', { file: path, force: true }, env).name).toBe('dtome');
    expect(warnings).toHaveLength(1);
    expect(() => createPolicy('dtome', { file: path }, { ...env, encoder: { ...env.encoder, numLayers: 4 } })).toThrow(`${path}: encoder.blocks: 3 blocks, the encoder has 4`);
  });
});

describe('image source', () => {
  it('a directory: image files, recursive, sorted, named relative to it; a list file: its lines', () => {
    const dir = join(tmp, 'images');
    mkdirSync(join(dir, 'sub'), { recursive: true });
    for (const f of ['b.jpg', 'a.PNG', 'notes.txt', 'sub/c.jpeg']) writeFileSync(join(dir, f), '');
    const source = readImageSource(dir);
    expect(source.names).toEqual(['a.PNG', 'b.jpg', 'sub/c.jpeg']);
    expect(source.path('sub/c.jpeg')).toBe(join(dir, 'sub/c.jpeg'));
    const list = join(tmp, 'list.txt');
    writeFileSync(list, '# calibration\nimages/b.jpg\n\n/abs/x.jpg\n');
    const listed = readImageSource(list);
    expect(listed.names).toEqual(['images/b.jpg', '/abs/x.jpg']);
    expect(listed.path('images/b.jpg')).toBe(join(dir, 'b.jpg'));
    expect(() => readImageSource(join(tmp, 'missing'))).toThrow(DymuError);
  });
});
