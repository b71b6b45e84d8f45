import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DymuError, Rng } from '@dymu/core';
import { anyresLayout, type AnyresLayout } from '@dymu/encoders';
import { SessionPool } from '@dymu/onnx';
import { makeVlmModel, WeightStore } from '@dymu/weights';
import { type ImageRows, Vlm } from '../src/index.ts';
import { mergeRuns } from './merge-runs.ts';
import { naiveBilinear } from './naive-bilinear.ts';

const root = mkdtempSync(join(tmpdir(), 'dymu-anyres-'));
const pool = new SessionPool();
let vlm: Vlm;
let dir: string;

beforeAll(async () => {
  dir = makeVlmModel({ family: 'qwen2', preset: 'tiny', seed: 5, out: join(root, 'ov') }).dir;
  vlm = await Vlm.load(dir, { pool });
});
afterAll(async () => {
  await pool.release();
  rmSync(root, { recursive: true, force: true });
});

/** A random RGB image of the given size, PNG-encoded. */
async function randomImage(width: number, height: number, seed: number): Promise<Buffer> {
  const rng = Rng.stream(seed, 'image');
  const data = Buffer.from(Array.from({ length: width * height * 3 }, () => rng.int(256)));
  return sharp(data, { raw: { width, height, channels: 3 } }).png().toBuffer();
}

/** Merges token pairs (2k, 2k + 1) in the first block: every view keeps half its tokens. */
const pairs = mergeRuns(2);

/**
 * LLaVA-NeXT's packing written out naively (float64): the crops' features viewed as
 * [nph, npw, unit, unit, D] and permuted to one (nph·unit) × (npw·unit) map, sliced to the unpadded
 * part, interpolated as torch's bilinear (naive-bilinear.ts), image_newline appended to every row.
 */
function naivePack(crops: readonly ImageRows[], layout: AnyresLayout, unit: number, newline: Float32Array, D: number): number[][] {
  const { grid, unpadded: u, packed } = layout;
  const full: number[][][] = Array.from({ length: grid.rows * unit }, () => []);
  for (let i = 0; i < grid.rows; i++) {
    for (let j = 0; j < grid.cols; j++) {
      for (let y = 0; y < unit; y++) {
        for (let x = 0; x < unit; x++) full[i * unit + y][j * unit + x] = Array.from(crops[i * grid.cols + j].rows.subarray((y * unit + x) * D, (y * unit + x + 1) * D));
      }
    }
  }
  const kept = full.slice(u.top, u.bottom).map((row) => row.slice(u.left, u.right));
  return naiveBilinear(kept, packed.rows, packed.cols).flatMap((row, i) => ((i + 1) % packed.cols === 0 ? [row, Array.from(newline)] : [row]));
}

describe('LLaVA-OneVision AnyRes (generated tiny OneVision)', () => {
  it("reads anyres_max_9, image_grid_pinpoints and spatial_unpad from config.json; other settings are named errors", async () => {
    const spec = vlm.anyres!.spec;
    expect(spec.maxCrops).toBe(9);
    expect(spec.cropSize).toBe(64);
    expect(spec.unit).toBe(8);
    expect(spec.pinpoints).toContainEqual([256, 256]);
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    const broken = join(root, 'broken');
    for (const [field, value] of [['mm_patch_merge_type', 'flat'], ['image_aspect_ratio', 'anyres_maximum'], ['image_grid_pinpoints', [[64, 100]]]] as const) {
      makeVlmModel({ family: 'qwen2', preset: 'tiny', seed: 5, out: broken });
      writeFileSync(join(broken, 'config.json'), JSON.stringify({ ...config, [field]: value }));
      const error = await Vlm.load(broken, { pool }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DymuError);
      expect((error as DymuError).message).toContain(`${join(broken, 'config.json')}: ${field}`);
    }
  });

  for (const [width, height] of [[300, 100], [90, 250], [451, 300], [50, 60]]) {
    it(`none: ${width}×${height} packs exactly as a naive spatial_unpad (unpad, shrink, newlines, base first)`, async () => {
      const { spec } = vlm.anyres!;
      const D = vlm.decoder.config.hiddenSize;
      const layout = anyresLayout(width, height, spec);
      const rng = Rng.stream(width * height, 'rows');
      const part = (): ImageRows => ({ rows: Float32Array.from({ length: 64 * D }, () => rng.normal()), count: 64, source: Int32Array.from({ length: 64 }, (_, i) => i) });
      const [base, ...crops] = Array.from({ length: 1 + layout.crops.length }, part);
      const [first, packed] = await vlm.packSpatially([base, ...crops], layout);
      expect(first).toBe(base);
      expect(1 + layout.crops.length).toBe(layout.grid.rows * layout.grid.cols + 1);
      expect(64 + packed.count).toBe(layout.tokens.total);
      const newline = WeightStore.open(dir).get('model.image_newline', [D]);
      const expected = naivePack(crops, layout, spec.unit, newline, D);
      expect(packed.count).toBe(expected.length);
      let worst = 0;
      expected.forEach((row, i) => row.forEach((v, d) => (worst = Math.max(worst, Math.abs(v - packed.rows[i * D + d])))));
      expect(worst).toBeLessThan(1e-5);
    });
  }

  it('none: each image is its base view and crops; the LLM gets base + packed rows, one position each', async () => {
    const image = await randomImage(451, 300, 1);
    const [placeholder] = await vlm.encodeImages([image]);
    const layout = anyresLayout(451, 300, vlm.anyres!.spec);
    expect(placeholder.layout).toEqual(layout);
    expect(placeholder.parts.map((p) => p.count)).toEqual(Array(17).fill(64));
    expect(placeholder.fullTokens).toBe(layout.tokens.total);
    const input = await vlm.prepare('a<image>b', [placeholder.parts], true, [placeholder.layout]);
    const text = input.map.unique - layout.tokens.total;
    expect(input.map.virtual).toBe(input.map.unique);
    expect(text).toBeGreaterThan(0);
  });

  it('a merge policy: each view merged on its own, fewer tokens, and a VTU map that covers every patch of every view', async () => {
    const images = [await randomImage(300, 100, 2), await randomImage(50, 60, 3)];
    const placeholders = await vlm.encodeImages(images, pairs);
    for (const [i, p] of placeholders.entries()) {
      const layout = anyresLayout(...([[300, 100], [50, 60]][i] as [number, number]), vlm.anyres!.spec);
      expect(p.layout).toBeUndefined();
      expect(p.parts.length).toBe(1 + layout.crops.length);
      expect(p.parts.every((e) => e.count === 32)).toBe(true);
      expect(p.fullTokens).toBe(64 * p.parts.length);
      const input = await vlm.prepare('a<image>b', [p.parts]);
      const text = input.map.unique - 32 * p.parts.length;
      expect(input.map.virtual).toBe(text + 64 * p.parts.length);
      const referenced = new Set(input.map.map);
      expect(referenced.size).toBe(input.map.unique);
      // Patches 2k and 2k + 1 of a view share one row.
      const first = input.map.map.subarray(1, 1 + 64);
      for (let k = 0; k < 32; k++) expect(first[2 * k + 1]).toBe(first[2 * k]);
    }
    const [merged, full] = [await vlm.ask([images[0]], 'What is it?', { policy: pairs, maxNewTokens: 3 }), await vlm.ask([images[0]], 'What is it?', { maxNewTokens: 3 })];
    // The paper's share: half of every view's 64 patches; without merging, all of the packed tokens.
    expect(merged.visualTokens / merged.fullTokens).toBe(0.5);
    expect(full.visualTokens).toBe(full.fullTokens);
    expect(full.fullTokens).toBe(anyresLayout(300, 100, vlm.anyres!.spec).tokens.total);
    expect(merged.virtual - merged.unique).toBe(merged.visualTokens);
    expect(merged.tokens.length).toBeGreaterThan(0);
  });
});
