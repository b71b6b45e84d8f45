import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cocoSource, folderSource, gqaSource, llavaMixSource, sampleImages, type ImageSource, type SampleOptions } from '../src/index.ts';
import { writeImage, writeJson, writeStandardRoot } from './fixtures.ts';

const root = mkdtempSync(join(tmpdir(), 'dymu-sampler-'));
const std = join(root, 'std');
const folderA = folderSource(join(root, 'a'), { name: 'a' });
const folderB = folderSource(join(root, 'b'), { name: 'b' });
const mix = llavaMixSource({ file: join(std, 'llava_v1_5_mix665k.json') });

beforeAll(async () => {
  await writeStandardRoot(std);
  await Promise.all(Array.from({ length: 40 }, (_, i) => [writeImage(join(root, 'a', `${i}.png`), i), writeImage(join(root, 'b', `${i}.png`), 100 + i)]).flat());
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const paths = async (sources: ImageSource[], options: SampleOptions) => (await sampleImages(sources, options)).images.map((r) => r.imagePath);

describe('sampleImages', () => {
  it('is reproducible by seed, and different seeds give different samples', async () => {
    const options = { count: 10, seed: 1 };
    const first = await sampleImages([folderA, folderB], options);
    expect(await sampleImages([folderA, folderB], options)).toEqual(first);
    expect(await paths([folderA, folderB], { count: 10, seed: 2 })).not.toEqual(first.images.map((r) => r.imagePath));
    expect(first.images[0]).toEqual({ id: expect.any(String), imagePath: expect.any(String), source: 'folder' });
  });

  it('uniform: distinct images drawn over all sources pooled', async () => {
    const { images, report } = await sampleImages([folderA, folderB], { count: 30, seed: 0 });
    expect(new Set(images.map((r) => r.imagePath)).size).toBe(30);
    expect(report).toMatchObject({ mode: 'uniform', seed: 0, requested: 30, selected: 30, records: 80, duplicates: 0, missing: { count: 0, examples: [] } });
    expect(report.perSource.a.selected + report.perSource.b.selected).toBe(30);
    expect(report.perSource.a.selected).toBeGreaterThan(5); // both sources are drawn from
    expect(report.perSource.b.selected).toBeGreaterThan(5);
    expect(report.perSource.a.records).toBe(40);
  });

  it('stratified: quotas proportional to the weights (largest remainder)', async () => {
    const { images, report } = await sampleImages([folderA, folderB], { count: 20, seed: 3, mode: 'stratified', weights: { a: 3, b: 1 } });
    expect(images.filter((r) => r.imagePath.startsWith(join(root, 'a'))).length).toBe(15);
    expect(report.perSource).toEqual({ a: { records: 40, quota: 15, selected: 15 }, b: { records: 40, quota: 5, selected: 5 } });
    // The sources are interleaved, not one block after the other.
    expect(images.slice(0, 10).some((r) => r.imagePath.startsWith(join(root, 'b')))).toBe(true);

    const equal = await sampleImages([folderA, folderB], { count: 11, seed: 3, mode: 'stratified' });
    expect([equal.report.perSource.a.quota, equal.report.perSource.b.quota]).toEqual([6, 5]);
    const zero = await sampleImages([folderA, folderB], { count: 4, seed: 3, mode: 'stratified', weights: { a: 1, b: 0 } });
    expect(zero.images.every((r) => r.imagePath.startsWith(join(root, 'a')))).toBe(true);
  });

  it('de-duplicates by image path across sources', async () => {
    const { images, report } = await sampleImages([cocoSource({ root: join(std, 'coco'), split: 'train2017' }), mix], { count: 100, seed: 0 });
    expect(images.length).toBe(6);
    expect(new Set(images.map((r) => r.imagePath)).size).toBe(6);
    // coco 9 comes twice in the mix, after the coco source already gave it
    expect(report).toMatchObject({ records: 8, duplicates: 2, selected: 6 });
    expect(report.perSource).toEqual({ 'coco/train2017': { records: 2, selected: 2 }, llava_mix: { records: 6, selected: 4 } });
  });

  it('skips missing and (with decode) undecodable images, counting them with examples', async () => {
    const sources = [cocoSource({ root: join(std, 'coco'), split: 'val2014' }), gqaSource({ root: join(std, 'gqa'), split: 'train_all' })];
    const decoded = await sampleImages(sources, { count: 4, seed: 0, decode: true });
    expect(decoded.images.map((r) => r.id).sort()).toEqual(['0100', '42']);
    expect(decoded.report).toMatchObject({
      requested: 4,
      selected: 2,
      missing: { count: 1, examples: [join(std, 'coco/val2014/COCO_val2014_000000000073.jpg')] },
      undecodable: { count: 1, examples: [join(std, 'gqa/images/n999.jpg')] },
    });
    const existing = await sampleImages(sources, { count: 4, seed: 0 });
    expect(existing.report).toMatchObject({ selected: 3, missing: { count: 1 }, undecodable: { count: 0, examples: [] } });
  });

  it('keeps only the first few examples, and stops checking once the sample is full', async () => {
    const file = writeJson(join(root, 'missing-mix.json'), [
      ...Array.from({ length: 7 }, (_, i) => ({ id: `m${i}`, image: `nowhere/${i}.jpg`, conversations: [{ from: 'human', value: 'q' }] })),
      { id: 'ok', image: 'a/0.png', conversations: [{ from: 'human', value: 'q' }] },
    ]);
    // Seed 4 puts the readable image 4th: 3 missing ones are checked (2 kept as examples), the other 4 never are.
    const { images, report } = await sampleImages([llavaMixSource({ file })], { count: 1, seed: 4, examples: 2 });
    expect(images.map((r) => r.id)).toEqual(['ok']);
    expect(report.missing).toEqual({ count: 3, examples: [expect.stringMatching(/nowhere/), expect.stringMatching(/nowhere/)] });
    const everything = await sampleImages([llavaMixSource({ file })], { count: 8, seed: 5, examples: 2 });
    expect(everything.report.missing).toEqual({ count: 7, examples: [expect.stringMatching(/nowhere/), expect.stringMatching(/nowhere/)] });
  });

  it("first: the official recipe, the first N image entries (duplicates kept) shuffled with the seed", async () => {
    const four = await sampleImages([mix], { count: 4, seed: 0, mode: 'first' });
    expect(four.images.map((r) => r.id).sort()).toEqual(['000000000009', '0001', 'a1b2', 'n288870']);
    expect(four.report).toMatchObject({ mode: 'first', records: 4, duplicates: 0, selected: 4 });
    const six = await sampleImages([mix], { count: 6, seed: 0, mode: 'first' });
    expect(six.images.length).toBe(6);
    expect(six.report.duplicates).toBe(1);
    const orders = new Set<string>();
    for (const seed of [0, 1, 2, 3]) orders.add((await paths([mix], { count: 6, seed, mode: 'first' })).join());
    expect(orders.size).toBeGreaterThan(1);
    expect(await paths([mix], { count: 6, seed: 2, mode: 'first' })).toEqual(await paths([mix], { count: 6, seed: 2, mode: 'first' }));
  });

  it('rejects bad options with the field named', async () => {
    await expect(sampleImages([folderA], { count: 0, seed: 0 })).rejects.toThrow('count: expected a positive integer, got 0');
    await expect(sampleImages([folderA], { count: 1, seed: 0.5 })).rejects.toThrow('seed: expected an integer, got 0.5');
    await expect(sampleImages([folderA, folderSource(join(root, 'b'), { name: 'a' })], { count: 1, seed: 0 })).rejects.toThrow('sources: two sources are named "a"');
    await expect(sampleImages([folderA], { count: 1, seed: 0, weights: { a: 1 } })).rejects.toThrow('weights: weights apply to the stratified mode only, not uniform');
    await expect(sampleImages([folderA], { count: 1, seed: 0, mode: 'stratified', weights: { c: 1 } })).rejects.toThrow('weights: no source is named "c" (sources: a)');
    await expect(sampleImages([folderA, folderB], { count: 1, seed: 0, mode: 'stratified', weights: { a: 1 } })).rejects.toThrow('weights.b: expected a non-negative number, got undefined');
    await expect(sampleImages([], { count: 1, seed: 0 })).rejects.toThrow('sources: no sources to sample from');
  });
});
