// Fidelity of the encoder's merging to DYMU.md §1–2: ToMe with r and DToMe with thresholds give
// exactly the merges of an independent float64 reference (naive-vit.ts), on generated tiny CLIP
// (class token) and SigLIP (no class token) towers and photos of different complexity.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dtomePolicy, tomePolicy } from '@dymu/merging';
import { makeVitModel, WeightStore } from '@dymu/weights';
import { preprocessBatch, VitEncoder } from '../src/index.ts';
import { naiveVit, type NaiveRule } from './naive-vit.ts';

const PHOTOS = resolve(import.meta.dirname, '../../../assets/images');
const IMAGES = ['astronaut.jpg', 'text.jpg', 'gravel.jpg', 'hubble_deep_field.jpg'].map((f) => join(PHOTOS, f));
const ALL_BLOCKS = { layer: -1, postLayerNorm: false, dropClassToken: false };
const tmp = mkdtempSync(join(tmpdir(), 'dymu-fidelity-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const CASES: { arch: 'clip-vit' | 'siglip-vit'; rules: NaiveRule[] }[] = [
  { arch: 'clip-vit', rules: [{ kind: 'tome', r: [11, 11, 11, 10] }, { kind: 'tome', r: [0, 25, 0, 3] }, { kind: 'dtome', thresholds: [0.9, 0.93, null, 0.86] }] },
  { arch: 'siglip-vit', rules: [{ kind: 'tome', r: [11, 11, 11, 10] }, { kind: 'dtome', thresholds: [0.85, 0.9, 0.88, 0.8] }] },
];

describe.each(CASES)('$arch: encoder merges = float64 reference', ({ arch, rules }) => {
  let encoder: VitEncoder;
  let store: WeightStore;
  let pixels: Float32Array;
  beforeAll(async () => {
    const { dir } = makeVitModel({ arch, preset: 'tiny', seed: 3, out: join(tmp, arch) });
    encoder = await VitEncoder.load(dir, { features: ALL_BLOCKS });
    store = WeightStore.open(dir);
    pixels = (await preprocessBatch(IMAGES, encoder.preprocessing)).pixels;
  });

  it.each(rules)('%j', async (rule) => {
    const policy = rule.kind === 'tome' ? tomePolicy(rule.r) : dtomePolicy(rule.thresholds);
    const encoded = await encoder.encodePixels(pixels, IMAGES.length, { policy });
    const per = pixels.length / IMAGES.length;
    const counts = new Set<number>();
    encoded.forEach((got, b) => {
      const ref = naiveVit(store, encoder.config, pixels.subarray(b * per, (b + 1) * per), rule);
      expect(ref.margin, 'a decision of the reference is too close to call in float32').toBeGreaterThan(1e-6);
      expect(got.blockCounts).toEqual(ref.blockCounts);
      expect(Array.from(got.sizes)).toEqual(ref.sizes);
      expect(Array.from(got.source)).toEqual(ref.source);
      let diff = 0;
      got.tokens.forEach((v, i) => (diff = Math.max(diff, Math.abs(v - ref.tokens[i]))));
      expect(diff).toBeLessThan(1e-4);
      counts.add(got.count);
    });
    if (rule.kind === 'dtome') expect(counts.size, 'DToMe gives images of different complexity different counts').toBeGreaterThan(1);
  });
});
