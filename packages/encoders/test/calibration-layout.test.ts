// Calibration through the encoder in both batch layouts (DYMU.md §3 and §3b): τ_batch of every block
// equals an independent float64 reference of the batch (naive-calibration.ts), on generated tiny
// CLIP (class token) and SigLIP (no class token) towers and one batch of photos of different complexity.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { calibrate } from '@dymu/merging';
import { makeVitModel, WeightStore } from '@dymu/weights';
import { preprocessBatch, VitEncoder } from '../src/index.ts';
import { naiveCalibrationBatch } from './naive-calibration.ts';

const PHOTOS = resolve(import.meta.dirname, '../../../assets/images');
const IMAGES = ['astronaut.jpg', 'text.jpg', 'gravel.jpg', 'hubble_deep_field.jpg'].map((f) => join(PHOTOS, f));
const ALL_BLOCKS = { layer: -1, postLayerNorm: false, dropClassToken: false };
const tmp = mkdtempSync(join(tmpdir(), 'dymu-calibration-layout-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// low reaches past the batch's real links at block 3 (official τ = 0, compact the smallest link); mid does not
const SCHEDULES = { low: [14, 14, 14, 14], mid: [11, 11, 11, 10] };

describe.each(['clip-vit', 'siglip-vit'] as const)('%s: calibration τ_batch = float64 reference', (arch) => {
  let encoder: VitEncoder;
  let store: WeightStore;
  let pixels: Float32Array[];
  const measured: Record<string, (number | null)[]> = {};
  beforeAll(async () => {
    const { dir } = makeVitModel({ arch, preset: 'tiny', seed: 3, out: join(tmp, arch) });
    encoder = await VitEncoder.load(dir, { features: ALL_BLOCKS });
    store = WeightStore.open(dir);
    const batch = (await preprocessBatch(IMAGES, encoder.preprocessing)).pixels;
    const per = batch.length / IMAGES.length;
    pixels = IMAGES.map((_, b) => batch.subarray(b * per, (b + 1) * per));
  });

  it.each([
    ['official', 'low'],
    ['official', 'mid'],
    ['compact', 'low'],
    ['compact', 'mid'],
  ] as const)('%s layout, %s', async (layout, variant) => {
    const r = SCHEDULES[variant];
    const [taus] = await calibrate({ images: IMAGES, batchSize: IMAGES.length, schedule: r, layout, encodeBatch: async (names, policy) => void (await encoder.encode(names, { policy })) });
    const reference = naiveCalibrationBatch(store, encoder.config, pixels, r, layout);
    expect(taus.map((t) => t !== null)).toEqual(reference.map((t) => t !== null));
    taus.forEach((t, block) => expect(Math.abs(t! - reference[block]!), `block ${block}: ${t} vs ${reference[block]}`).toBeLessThan(1e-4));
    measured[`${layout}/${variant}`] = taus;
  });

  it('the layouts part where B·r_i reaches past the real links (official τ = 0)', () => {
    expect(measured['official/low'][3]).toBe(0);
    expect(measured['compact/low'][3]).toBeGreaterThan(0);
    expect(measured['official/mid'][0]).toBeCloseTo(measured['compact/mid'][0]!, 5); // the first merging block ranks the same links
    // from the second merging block on they part by far more than the tolerance above (so each reference tells the layouts apart)
    expect(Math.max(...measured['official/mid'].map((t, block) => Math.abs(t! - measured['compact/mid'][block]!)))).toBeGreaterThan(1e-3);
  });
});
