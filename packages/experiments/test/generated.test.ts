import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Rng } from '@dymu/core';
import { drawImage, generatedImages, IMAGE_KINDS } from '../src/resources/generated-images.ts';
import { modelDir } from '../src/resources/models.ts';
import { workspace } from './helpers.ts';

/** Distinct colours in an RGB image: a crude measure of how much there is to see. */
const colours = (pixels: Uint8Array) => new Set(Array.from({ length: pixels.length / 3 }, (_, i) => pixels.slice(3 * i, 3 * i + 3).join())).size;

describe('generated inputs', () => {
  it('draws images of increasing complexity, the same for the same seed', () => {
    const counts = IMAGE_KINDS.map((kind) => colours(drawImage(kind, 32, Rng.stream(0, kind))));
    expect(counts[0]).toBe(1);
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(counts[3]).toBeGreaterThan(1000);
    expect(drawImage('texture', 32, Rng.stream(1, 'x'))).toEqual(drawImage('texture', 32, Rng.stream(1, 'x')));
    expect(drawImage('texture', 32, Rng.stream(1, 'x'))).not.toEqual(drawImage('texture', 32, Rng.stream(2, 'x')));
  });

  it('writes PNG files once per parameters, byte-identical for a seed', async () => {
    const [a, b] = [workspace('generated-'), workspace('generated-')];
    const spec = { kinds: ['flat', 'noise'] as const, count: 2, size: 16, seed: 7 };
    const first = await generatedImages({ ...spec, kinds: [...spec.kinds] }, a.cache);
    const again = await generatedImages({ ...spec, kinds: [...spec.kinds] }, b.cache);
    expect(first.map((r) => [r.id, r.group])).toEqual([['flat-000', 'flat'], ['flat-001', 'flat'], ['noise-000', 'noise'], ['noise-001', 'noise']]);
    first.forEach((r, i) => expect(readFileSync(r.imagePath)).toEqual(readFileSync(again[i].imagePath)));
    const other = await generatedImages({ ...spec, kinds: [...spec.kinds], seed: 8 }, a.cache);
    expect(readFileSync(other[2].imagePath)).not.toEqual(readFileSync(first[2].imagePath));
  });

  it('materialises a generated model once into the cache', () => {
    const ws = workspace('generated-');
    const dir = modelDir({ generated: 'siglip-vit', preset: 'tiny', seed: 3 }, ws.cache);
    expect(dir).toBe(`${ws.cache}/models/siglip-vit-tiny-seed3`);
    expect(JSON.parse(readFileSync(`${dir}/config.json`, 'utf8')).model_type).toBe('siglip_vision_model');
    expect(modelDir({ generated: 'siglip-vit', preset: 'tiny', seed: 3 }, ws.cache)).toBe(dir);
    expect(modelDir('relative/dir', ws.cache)).toBe(`${process.cwd()}/relative/dir`);
  });
});
