import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BENCHMARKS, findBenchmarks } from '../src/index.ts';
import { fixtureDirs, put } from './helpers.ts';

const dirs = fixtureDirs('layout');

describe('benchmark inputs and the standard layout', () => {
  it('each adapter lists the files and image folders its options point at', () => {
    const inputs = (name: keyof typeof BENCHMARKS, options: Record<string, unknown>) => (BENCHMARKS[name] as (o: object) => { inputs(): unknown })({ root: '/b', ...options }).inputs();
    expect(inputs('gqa', {})).toEqual([{ path: '/b/testdev_balanced_questions.json', kind: 'file' }, { path: '/b/images', kind: 'folder' }]);
    expect(inputs('pope', { split: 'random', imageDir: '/coco/val2014' })).toEqual([{ path: '/b/coco_pope_random.json', kind: 'file' }, { path: '/coco/val2014', kind: 'folder' }]);
    expect(inputs('textvqa', { ocr: false })).toEqual([{ path: '/b/TextVQA_0.5.1_val.json', kind: 'file' }, { path: '/b/train_images', kind: 'folder' }]);
    expect(inputs('vqav2', { split: 'test-dev2015' })).toEqual([{ path: '/b/v2_OpenEnded_mscoco_test-dev2015_questions.json', kind: 'file' }, { path: '/b/test2015', kind: 'folder' }]);
    expect(inputs('mmbench', { file: 'mmbench_test.tsv' })).toEqual([{ path: '/b/mmbench_test.tsv', kind: 'file' }]);
    expect(inputs('mme', {})).toHaveLength(14);
    expect(inputs('mathvista', {})).toEqual([{ path: '/b/MathVista_MINI.tsv', kind: 'file' }]);
    expect(inputs('video_mme', {})).toEqual([{ path: '/b/videomme/test-00000-of-00001.parquet', kind: 'file' }, { path: '/b/data', kind: 'folder' }]);
    expect(inputs('mmbench_video', { imageDir: '/v' })).toEqual([{ path: '/b/MMBench-Video.tsv', kind: 'file' }, { path: '/v', kind: 'folder' }]);
  });

  it('findBenchmarks lists every benchmark of the layout with the inputs that are missing', () => {
    const root = dirs();
    put(join(root, 'eval/gqa/testdev_balanced_questions.json'), {});
    mkdirSync(join(root, 'eval/gqa/images'));
    put(join(root, 'eval/pope/coco_pope_random.json'), '');
    mkdirSync(join(root, 'eval/mmbench/mmbench_dev_20230712.tsv'), { recursive: true }); // a folder where a file belongs
    const found = Object.fromEntries(findBenchmarks(root).map((b) => [b.name, b]));
    expect(Object.keys(found)).toEqual(['textvqa', 'gqa', 'pope', 'mme', 'scienceqa_img', 'mmbench', 'seed_img', 'mmvet', 'llava_bench_wild', 'mathvista', 'video_mme', 'mmbench_video']);
    expect(found.video_mme.missing.map((i) => i.path)).toEqual([join(root, 'eval/video-mme/videomme/test-00000-of-00001.parquet'), join(root, 'eval/video-mme/data')]);
    expect(found.gqa.missing).toEqual([]);
    expect(found.gqa.root).toBe(join(root, 'eval/gqa'));
    expect(found.pope.missing.map((i) => i.path)).toEqual([join(root, 'eval/pope/coco_pope_adversarial.json'), join(root, 'eval/pope/coco_pope_popular.json'), join(root, 'coco/val2014')]);
    expect(found.mmbench.missing).toEqual([{ path: join(root, 'eval/mmbench/mmbench_dev_20230712.tsv'), kind: 'file' }]);
    expect(found.mme.missing).toHaveLength(14);
  });
});
