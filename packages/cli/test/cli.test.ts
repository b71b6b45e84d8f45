import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dymu, root } from './dymu.ts';

const image = join(root, 'assets', 'images', 'coffee.jpg');

describe('dymu CLI', () => {
  const model = join(mkdtempSync(join(tmpdir(), 'cli-')), 'siglip');

  it('makes a model and encodes images with it, printing token counts and timing', () => {
    const made = dymu('make-model', '--arch', 'siglip-vit', '--preset', 'tiny', '--out', model);
    expect(made.err).toBe('');
    expect(made.out).toMatch(/wrote .*siglip-vit tiny \(4 layers, width 64, 64px \/ patch 8\)/);
    const encoded = dymu('encode', '--model', model, image, image);
    expect(encoded.code).toBe(0);
    expect(encoded.out).toMatch(/coffee\.jpg\s+64\s+64\n/);
    expect(encoded.out).toMatch(/2 images in \d+ ms \(\d+\.\d+ images\/s, batch 8\); \d+\.\d % inside onnxruntime/);
  });

  it('reports bad input in one line naming the file, with exit code 1', () => {
    const missing = dymu('encode', '--model', join(model, 'nope'), image);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/^dymu: .*nope.*config\.json/);
    const broken = dymu('encode', '--model', model, join(root, 'README.md'));
    expect(broken.code).toBe(1);
    expect(broken.err).toMatch(/^dymu: .*README\.md/);
    expect(broken.err.split('\n').filter(Boolean)).toHaveLength(1);
  });

  it('calibrates, then draws merged groups and the token-vs-complexity plots', () => {
    const out = mkdtempSync(join(tmpdir(), 'cli-dtome-'));
    const images = join(root, 'assets', 'images');
    const thresholds = join(out, 'thresholds.json');
    const calibrated = dymu('calibrate', '--model', model, '--images', images, '--schedule', 'mid', '--batch', '3', '--out', thresholds);
    expect(calibrated.code, calibrated.err).toBe(0);
    const drawn = dymu('visualize', '--model', model, '--thresholds', thresholds, image, '--out', join(out, 'pics'));
    expect(drawn.out).toMatch(/coffee\.png: \d+ tokens \(dtome\)/);
    expect(readdirSync(join(out, 'pics'))).toEqual(['coffee.png']);
    const analyzed = dymu('analyze', 'complexity', '--model', model, '--thresholds', thresholds, '--images', images, '--out', join(out, 'analysis'));
    expect(analyzed.code, analyzed.err).toBe(0);
    expect(analyzed.out).toMatch(/tokens vs jpegBytesPerPixel: Pearson r = -?\d\.\d{3}/);
    expect(readdirSync(join(out, 'analysis')).sort()).toEqual(['complexity.arrow', 'tokens-vs-complexity.png', 'tokens-vs-complexity.svg']);
    expect(readFileSync(join(out, 'analysis', 'tokens-vs-complexity.svg'), 'utf8').match(/Pearson r = -?\d\.\d{3}, n = \d+/g)).toHaveLength(2);
  });

  it('calibrates in the official layout from a list naming a missing image, and compares the layouts with the tokens each gives', () => {
    const out = mkdtempSync(join(tmpdir(), 'cli-layouts-'));
    const images = join(root, 'assets', 'images');
    const list = join(out, 'list.txt');
    const present = readdirSync(images).filter((f) => /\.jpe?g$/.test(f)).map((f) => join(images, f));
    writeFileSync(list, `${[...present, join(out, 'gone.jpg')].join('\n')}\n`);
    const calibrate = (layout: string) => dymu('calibrate', '--model', model, '--images', list, '--schedule', 'mid', '--batch', '3', '--layout', layout, '--out', join(out, `${layout}.json`));
    const official = calibrate('official');
    expect(official.code, official.err).toBe(0);
    expect(official.err).toContain(`warning: 1 of the ${present.length + 1} calibration images of ${list} is missing and left out before sampling: ${join(out, 'gone.jpg')}`);
    const file = JSON.parse(readFileSync(join(out, 'official.json'), 'utf8'));
    expect([file.layout, file.data.missing, file.data.count]).toEqual(['official', 1, Math.floor(present.length / 3) * 3]);
    expect(calibrate('compact').code).toBe(0);
    const compared = dymu('thresholds', 'compare', join(out, 'compact.json'), join(out, 'official.json'), '--images', images, '--model', model);
    expect(compared.code, compared.err).toBe(0);
    expect(compared.out).toContain('official layout');
    expect(compared.out).toMatch(/^preprocessing: pad to square \(mean colour\), resize 64×64 \(/m);
    expect(compared.out).toMatch(new RegExp(`Tokens per image \\(${present.length} images of .*, siglip, after block 2, class token included\\):`));
    expect(compared.out).toMatch(/\| A \| \d+\.\d ± \d+\.\d \| \d+ \| \d+ \|\n\| B \| \d+\.\d ± \d+\.\d \| \d+ \| \d+ \|/);
  });

  it('answers a question through a generated VLM with a merge policy and VTU', () => {
    const vlm = join(mkdtempSync(join(tmpdir(), 'cli-vlm-')), 'vlm');
    expect(dymu('make-vlm', '--out', vlm).code).toBe(0);
    const chat = dymu('chat', '--vlm', vlm, '--policy', 'tome', '--r', '8', '--max-new-tokens', '4', image, 'What is this?');
    expect(chat.code, chat.err).toBe(0);
    // 64 patches, 3 blocks run (LLaVA's penultimate of 4) with 8 merges each: 64 − 24 = 40 tokens.
    expect(chat.out).toMatch(/coffee\.jpg: 40 visual tokens \(41 with the class token\), policy tome/);
    expect(chat.out).toMatch(/LLM input: (\d+) positions over (\d+) unique rows \(VTU on/);
    // LLaVA-1.5 saves no tower weights: config and weights both come from the tower's directory.
    expect(chat.out).toMatch(/^vision tower: config \S*vision_tower, weights \S*vision_tower$/m);
    const [, virtual, unique] = chat.out.match(/LLM input: (\d+) positions over (\d+) unique rows/)!.map(Number);
    expect(virtual - unique).toBe(64 - 40);
  });

  it('chat and visualize preprocess one image the same way by default (one threshold file, one token count) and say how', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-same-'));
    const vlm = join(dir, 'vlm');
    expect(dymu('make-vlm', '--out', vlm).code).toBe(0);
    const tower = join(vlm, 'vision_tower');
    const thresholds = join(dir, 'thresholds.json');
    expect(dymu('calibrate', '--model', tower, '--images', join(root, 'assets', 'images'), '--schedule', 'mid', '--batch', '3', '--out', thresholds).code).toBe(0);
    // coffee.jpg is 512 × 341: padding it to a square or not changes what the tower sees.
    const chat = dymu('chat', '--vlm', vlm, '--thresholds', thresholds, '--max-new-tokens', '1', image, 'What is this?');
    expect(chat.code, chat.err).toBe(0);
    const drawn = (...more: string[]) => dymu('visualize', '--model', tower, '--thresholds', thresholds, image, '--out', join(dir, 'pics'), ...more);
    const visualized = drawn();
    expect(visualized.code, visualized.err).toBe(0);
    const chatTokens = Number(chat.out.match(/coffee\.jpg: \d+ visual tokens \((\d+) with the class token\)/)![1]);
    const visualizeTokens = Number(visualized.out.match(/coffee\.png: (\d+) tokens \(dtome\)/)![1]);
    expect(visualizeTokens).toBe(chatTokens);
    const line = 'preprocessing: pad to square (mean colour), resize shortest edge 64, center crop 64×64';
    expect(chat.out).toContain(line);
    expect(visualized.out).toContain(line);
    // Without the padding the tower sees a centre crop: another count, and named so.
    const resized = drawn('--preprocess', 'resize');
    expect(resized.out).toContain('preprocessing: no padding, resize shortest edge 64, center crop 64×64');
    expect(Number(resized.out.match(/coffee\.png: (\d+) tokens/)![1])).not.toBe(visualizeTokens);
  }, 240_000);

  it('data check reports the benchmark folders too: questions and missing images, or what is missing', () => {
    const data = mkdtempSync(join(tmpdir(), 'cli-data-'));
    const question = (imageId: string) => ({ imageId, question: 'What colour?', answer: 'red', isBalanced: true, types: { structural: 'query', semantic: 'attr' } });
    mkdirSync(join(data, 'eval/gqa/images'), { recursive: true });
    writeFileSync(join(data, 'eval/gqa/testdev_balanced_questions.json'), JSON.stringify({ q1: question('n1'), q2: question('n2') }));
    copyFileSync(image, join(data, 'eval/gqa/images/n1.jpg'));
    mkdirSync(join(data, 'eval/pope'), { recursive: true });
    writeFileSync(join(data, 'eval/pope/coco_pope_random.json'), '');
    const checked = dymu('data', 'check', data);
    expect(checked.code).toBe(1);
    expect(checked.out).toContain('\nbenchmarks under ');
    expect(checked.out).toContain('\ngqa: eval/gqa/testdev_balanced_questions.json, eval/gqa/images/: 1 questions, 1 missing images (first: eval/gqa/images/n2.jpg)\n');
    expect(checked.out).toContain('\npope: missing eval/pope/coco_pope_adversarial.json, eval/pope/coco_pope_popular.json, coco/val2014/\n');
    expect(checked.out).toContain('\nmmbench: not found (expected eval/mmbench/mmbench_dev_20230712.tsv)\n');
  });

  it('run --dry-run lists every problem of the runs\' inputs and exits with 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-dry-'));
    const file = join(dir, 'x.yaml');
    writeFileSync(file, `model: { encoder: ${join(dir, 'no-model')} }\ndatasets: [{ name: folder, dir: ${join(dir, 'no-images')} }]\nseeds: [0]\n`);
    const dry = dymu('run', file, '--dry-run', '--results', join(dir, 'results'), '--cache', join(dir, 'cache'));
    expect(dry.code).toBe(1);
    expect(dry.out).toContain(`2 problems:\n  - ${file}: model.encoder: ${join(dir, 'no-model')}: model directory not found\n  - ${file}: datasets[0]: ${join(dir, 'no-images')}: not a directory\n`);
  });

  it('rejects unknown commands and options with usage and exit code 2', () => {
    const bad = dymu('encode', '--modle', model, image);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/Unknown argument|Missing required argument/);
  });
});
