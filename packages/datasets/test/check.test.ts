import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSource, findDatasets, type SourceCheck } from '../src/index.ts';
import { writeStandardRoot } from './fixtures.ts';

const root = mkdtempSync(join(tmpdir(), 'dymu-check-'));
beforeAll(() => writeStandardRoot(root));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('findDatasets', () => {
  it('finds every dataset of the standard layout, its annotation files and one source per split', () => {
    const found = findDatasets(root).map((d) => ({ name: d.name, files: d.files.map((f) => relative(root, f)), sources: d.sources.map((s) => s.name) }));
    expect(found).toEqual([
      {
        name: 'coco',
        files: ['coco/annotations/instances_val2014.json', 'coco/annotations/captions_val2014.json', 'coco/annotations/instances_train2017.json'],
        sources: ['coco/val2014', 'coco/train2017'],
      },
      { name: 'vg', files: ['vg/image_data.json', 'vg/question_answers.json'], sources: ['vg'] },
      { name: 'ocr_vqa', files: ['ocr_vqa/dataset.json'], sources: ['ocr_vqa'] },
      {
        name: 'textvqa',
        files: ['textvqa/TextVQA_0.5.1_train.json', 'textvqa/TextVQA_Rosetta_OCR_v0.2_train.json', 'textvqa/TextVQA_0.5.1_val.json', 'textvqa/TextVQA_0.5.1_test.json'],
        sources: ['textvqa/train', 'textvqa/val', 'textvqa/test'],
      },
      {
        name: 'gqa',
        files: [
          'gqa/questions1.2/testdev_balanced_questions.json',
          'gqa/questions1.2/train_all_questions/train_all_questions_0.json',
          'gqa/questions1.2/train_all_questions/train_all_questions_1.json',
        ],
        sources: ['gqa/testdev_balanced', 'gqa/train_all'],
      },
      { name: 'llava_mix', files: ['llava_v1_5_mix665k.json'], sources: ['llava_mix'] },
    ]);
  });

  it('lists absent datasets with nothing found, and rejects a root that is not a directory', () => {
    const empty = join(root, 'empty');
    mkdirSync(empty);
    expect(findDatasets(empty).every((d) => d.files.length === 0 && d.sources.length === 0)).toBe(true);
    expect(() => findDatasets(join(root, 'nope'))).toThrow(`${join(root, 'nope')}: not a directory`);
  });
});

describe('checkSource', () => {
  const checks = async (decode: boolean): Promise<Map<string, SourceCheck>> => {
    const all = findDatasets(root).flatMap((d) => d.sources);
    return new Map(await Promise.all(all.map(async (s) => [s.name, await checkSource(s, { decode })] as const)));
  };

  it('counts records, distinct images and missing images with examples', async () => {
    const result = await checks(false);
    const none = { count: 0, examples: [] };
    expect(result.get('coco/val2014')).toEqual({
      name: 'coco/val2014',
      records: 2,
      images: 2,
      missing: { count: 1, examples: [join(root, 'coco/val2014/COCO_val2014_000000000073.jpg')] },
      undecodable: none,
    });
    expect(result.get('gqa/testdev_balanced')).toMatchObject({ records: 2, images: 1, missing: none });
    expect(result.get('llava_mix')).toMatchObject({ records: 6, images: 5, missing: none });
    expect(result.get('gqa/train_all')).toMatchObject({ records: 2, images: 2, missing: none, undecodable: none });
    for (const name of ['coco/train2017', 'vg', 'ocr_vqa', 'textvqa/train', 'textvqa/val', 'textvqa/test']) expect(result.get(name)?.missing).toEqual(none);
  });

  it('with decode, counts images sharp cannot read', async () => {
    const result = await checks(true);
    expect(result.get('gqa/train_all')?.undecodable).toEqual({ count: 1, examples: [join(root, 'gqa/images/n999.jpg')] });
    expect([...result.values()].reduce((n, c) => n + c.undecodable.count, 0)).toBe(1);
  });
});
