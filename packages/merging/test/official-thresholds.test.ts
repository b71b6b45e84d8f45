import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  compareThresholds,
  comparisonMarkdown,
  tokenCounts,
  createPolicy,
  officialVariant,
  parseOfficialExample,
  readThresholdList,
  readThresholdPair,
  toBf16,
  writeThresholdFile,
  type ThresholdFile,
} from '../src/index.ts';

const EXAMPLE = join(import.meta.dirname, '..', '..', '..', 'paper', 'official-example-thresholds.json');
const tmp = mkdtempSync(join(tmpdir(), 'dymu-official-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A calibrated threshold file of `blocks` blocks, τ_i = 0.9 (block 0: r = 0, never merges). */
function calibrated(blocks: number): string {
  const path = join(tmp, `calibrated-${blocks}.json`);
  const block = (i: number) => (i === 0 ? { block: 0, r: 0, threshold: null, mean: null, std: null, min: null, max: null, batches: 0 } : { block: i, r: 2, threshold: 0.9, mean: 0.9, std: 0, min: 0.9, max: 0.9, batches: 1 });
  const file: ThresholdFile = {
    format: 'dymu-thresholds/1',
    encoder: { name: 'enc', arch: 'siglip', weightsSha256: 'a'.repeat(64), blocks },
    schedule: { name: 'test', r: Array.from({ length: blocks }, (_, i) => (i === 0 ? 0 : 2)) },
    batchSize: 4,
    data: { source: 'imgs/', count: 4, seed: 0, imagesSha256: 'b'.repeat(64), missing: 0, undecodable: 0 },
    layout: 'official',
    runningMean: 'float64',
    blocks: Array.from({ length: blocks }, (_, i) => block(i)),
    createdAt: '2026-01-01T00:00:00.000Z',
    tool: { name: 'dymu-ts', version: '0.1.0' },
  };
  writeThresholdFile(path, file);
  return path;
}

describe("the official repository's example thresholds", () => {
  it('load from the project copy: CLIP-L low (24 blocks) and SigLIP-B/16 low (12), on the bfloat16 grid', () => {
    const clip = readThresholdList(`${EXAMPLE}#openai/clip-vit-large-patch14-336`);
    expect(clip.thresholds).toHaveLength(24);
    expect(clip.thresholds[0]).toBe(0.99609375);
    expect(clip.source).toBe(`${EXAMPLE}#0`);
    expect(clip.origin).toMatch(/^quoted from the official repository: low \(ViT-L-14-336-tome-72out/);
    expect(readThresholdList(`${EXAMPLE}#1`).encoder).toBe('timm/ViT-B-16-SigLIP-384');
    expect(readThresholdList(EXAMPLE, 12).thresholds).toHaveLength(12);
    for (const t of [...clip.thresholds, ...readThresholdList(`${EXAMPLE}#1`).thresholds]) expect(toBf16(t!)).toBe(t);
  });

  it('run DToMe on a 24-block encoder without calibrating', () => {
    const shape = { arch: 'clip' as const, imageSize: 336, patchSize: 14, hiddenSize: 1024, numLayers: 24, patches: 576 };
    const policy = createPolicy('dtome', { thresholds: readThresholdList(EXAMPLE, 24).thresholds }, { encoder: shape });
    expect(policy.name).toBe('dtome');
  });

  it('say which variant to name when the choice is not clear, and check the format', () => {
    const example = parseOfficialExample({ variants: [{ encoder: 'a', variant: 'low', thresholds: [0.5, 0.6] }, { encoder: 'b', variant: 'low', thresholds: [0.7, 0.8] }] }, 'x.json');
    expect(officialVariant(example, 'x.json', { selector: 'b' }).thresholds).toEqual([0.7, 0.8]);
    expect(() => officialVariant(example, 'x.json')).toThrow('x.json: variants: 2 variants: name one as x.json#<index or encoder> (the file has #0 a (2 blocks), #1 b (2 blocks))');
    expect(() => officialVariant(example, 'x.json', { blocks: 3 })).toThrow('x.json: variants: 0 variants with 3 blocks');
    expect(() => officialVariant(example, 'x.json', { selector: '7' })).toThrow('x.json: variants: no variant "7"');
    expect(() => parseOfficialExample({ variants: [{ encoder: 'a', variant: 'v', thresholds: [0.5, 'high'] }] }, 'x.json')).toThrow('x.json: variants[0].thresholds[1]: expected a finite number, got "high"');
    expect(() => readThresholdList(`${calibrated(3)}#0`)).toThrow('only an official example file has variants to choose from');
  });
});

describe('comparing two threshold files', () => {
  it('lines them up block by block; the official example takes the variant of the other file\'s depth', () => {
    const [official, ours] = readThresholdPair(EXAMPLE, calibrated(12));
    expect(official.encoder).toBe('timm/ViT-B-16-SigLIP-384');
    const rows = compareThresholds(official, ours);
    expect(rows[0]).toEqual({ block: 0, rA: null, rB: 0, a: 0.98046875, b: null, diff: null });
    expect(rows[1]).toEqual({ block: 1, rA: null, rB: 2, a: 0.90234375, b: 0.9, diff: 0.9 - 0.90234375 });
    const text = comparisonMarkdown(official, ours, rows);
    expect(text).toContain('| 1 | – | 0.9023 | 2 | 0.9000 | −0.0023 |');
    expect(text).toMatch(/11 blocks where both merge: mean \|B − A\| 0\.\d{4}, largest [+−]0\.\d{4} at block \d+/);
    expect(text).toContain(`B: ${join(tmp, 'calibrated-12.json')} (enc; calibrated: schedule test, 4 images of imgs/ (seed 0) in batches of 4, official layout, float64 mean)`);
    expect(text).not.toContain('Tokens per image');
    expect(() => compareThresholds(official, readThresholdList(calibrated(3)))).toThrow('has 12 blocks');
  });

  it('shows, given them, the token counts each file gives on a set of images: mean ± population std, min, max, per-image difference', () => {
    const [official, ours] = readThresholdPair(EXAMPLE, calibrated(12));
    // by hand: 10, 20, 30 → mean 20, std √(200/3) = 8.16; 12, 20, 31 → mean 21, deviations −9, −1, 10, std √(182/3) = 7.79
    expect(tokenCounts([10, 20, 30])).toEqual({ counts: [10, 20, 30], mean: 20, std: Math.sqrt(200 / 3) });
    const text = comparisonMarkdown(official, ours, compareThresholds(official, ours), { a: tokenCounts([10, 20, 30]), b: tokenCounts([12, 20, 31]), on: '3 images of imgs/' });
    expect(text).toContain('Tokens per image (3 images of imgs/):');
    expect(text).toContain('| A | 20.0 ± 8.2 | 10 | 30 |');
    expect(text).toContain('| B | 21.0 ± 7.8 | 12 | 31 |');
    expect(text).toContain('B − A per image: mean +1.00, 2 of 3 images differ');
  });

  it('reports a file that is not JSON', () => {
    const path = join(tmp, 'bad.json');
    writeFileSync(path, 'nope');
    expect(() => readThresholdList(path)).toThrow(`${path}: cannot read a JSON threshold file`);
  });
});
