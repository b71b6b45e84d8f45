import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..', '..');
const image = join(root, 'assets', 'images', 'coffee.jpg');

function dymu(...args: string[]) {
  const run = spawnSync(process.execPath, [join(root, 'packages/cli/bin/dymu.js'), ...args], { encoding: 'utf8', env: { ...process.env, DYMU_THREADS: '1' } });
  return { code: run.status, out: run.stdout, err: run.stderr };
}

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
    expect(analyzed.out).toMatch(/tokens-vs-jpegBytesPerPixel\.png: Pearson r = -?\d\.\d{3}/);
    expect(readdirSync(join(out, 'analysis')).sort()).toEqual(['complexity.arrow', 'tokens-vs-edgeDensity.png', 'tokens-vs-jpegBytesPerPixel.png']);
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
    const [, virtual, unique] = chat.out.match(/LLM input: (\d+) positions over (\d+) unique rows/)!.map(Number);
    expect(virtual - unique).toBe(64 - 40);
  });

  it('rejects unknown commands and options with usage and exit code 2', () => {
    const bad = dymu('encode', '--modle', model, image);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/Unknown argument|Missing required argument/);
  });
});
