import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DymuError } from '@dymu/core';
import sharp from 'sharp';
import { anyresLayout, floorDiv, parsePinpoints, type Pinpoint } from '../src/anyres.ts';
import { anyresViews } from '../src/anyres-views.ts';
import { resizePil } from '../src/pil-resize.ts';
import { decodeRgb, preprocessImage, type PreprocessSpec } from '../src/preprocess.ts';

interface GoldenCase {
  width: number;
  height: number;
  resolution: [number, number];
  pad: [number, number, number, number];
  crops: number[];
  grid: [number, number];
  unpadded: [number, number, number, number];
  kept: [number, number];
  packed: [number, number];
  tokens: number;
}

interface GoldenConfig {
  name: string;
  pinpoints: unknown;
  crop_size: number;
  unit: number;
  max_crops: number;
  parsed: Pinpoint[];
  cases: GoldenCase[];
}

// Written by tools/golden/anyres_reference.py (LLaVA-NeXT's mm_utils.py / llava_arch.py transcribed).
const golden = JSON.parse(readFileSync(join(import.meta.dirname, 'golden/anyres.json'), 'utf8')) as { configs: GoldenConfig[] };

describe('AnyRes geometry equals LLaVA-NeXT (golden, numpy transcription)', () => {
  for (const config of golden.configs) {
    it(`${config.name}: ${config.cases.length} image sizes`, () => {
      const pinpoints = parsePinpoints(config.pinpoints, config.crop_size, { field: 'image_grid_pinpoints' });
      expect(pinpoints).toEqual(config.parsed);
      const spec = { pinpoints, maxCrops: config.max_crops, cropSize: config.crop_size, unit: config.unit };
      for (const c of config.cases) {
        const layout = anyresLayout(c.width, c.height, spec);
        const { unpadded: u } = layout;
        expect({
          resolution: [...layout.resolution],
          pad: [layout.pad.width, layout.pad.height, layout.pad.left, layout.pad.top],
          crops: layout.crops.flat(),
          grid: [layout.grid.cols, layout.grid.rows],
          unpadded: [u.top, u.bottom, u.left, u.right],
          kept: [u.bottom - u.top, u.right - u.left],
          packed: [layout.packed.rows, layout.packed.cols],
          tokens: layout.tokens.total,
        }, `${c.width}×${c.height}`).toEqual({
          resolution: c.resolution, pad: c.pad, crops: c.crops, grid: c.grid, unpadded: c.unpadded, kept: c.kept, packed: c.packed, tokens: c.tokens,
        });
      }
    });
  }

  it('parses the list, its string form and the range form alike', () => {
    const where = { file: 'config.json', field: 'image_grid_pinpoints' };
    expect(parsePinpoints('(1x1),...,(2x2)', 384, where)).toEqual([[384, 384], [384, 768], [768, 384], [768, 768]]);
    expect(parsePinpoints('[(384, 768), (768, 384)]', 384, where)).toEqual([[384, 768], [768, 384]]);
    expect(parsePinpoints([[384, 768]], 384, where)).toEqual([[384, 768]]);
    for (const bad of [[], [[384]], [[0, 384]], 'nonsense', 7]) {
      expect(() => parsePinpoints(bad, 384, where)).toThrow(DymuError);
      expect(() => parsePinpoints(bad, 384, where)).toThrow(/config\.json.*image_grid_pinpoints/);
    }
  });

  it("floor-divides as Python's float // does", () => {
    // Python: 1 // 0.1 == 9.0 and 7 // 0.1 == 69.0, though 1 / 0.1 rounds to 10.0; 162 // 1.5 == 108.0, 1 // 3.0 == 0.0
    expect(floorDiv(1, 0.1)).toBe(9);
    expect(floorDiv(7, 0.1)).toBe(69);
    expect(floorDiv(162, 1.5)).toBe(108);
    expect(floorDiv(1, 3)).toBe(0);
  });
});

describe('AnyRes views (mm_utils.process_anyres_image)', () => {
  const spec: PreprocessSpec = { resizeTo: { height: 64, width: 64 }, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5], rescaleFactor: 1 / 255, resample: 3, source: 'test' };
  const tiny = golden.configs.find((c) => c.name === 'tiny')!;
  const anyres = { pinpoints: tiny.parsed, maxCrops: 9, cropSize: 64, unit: 8 };

  for (const [width, height] of [[300, 100], [90, 250], [40, 70]]) {
    it(`${width}×${height}: the base view is the whole image at 64², the crops cut the bicubic-resized image pasted on black`, async () => {
      const data = Buffer.from(Array.from({ length: width * height * 3 }, (_, i) => (i * 7919) % 251));
      const png = await sharp(data, { raw: { width, height, channels: 3 } }).png().toBuffer();
      const views = await anyresViews(png, spec, anyres);
      const { layout } = views;
      expect(views.views).toBe(1 + layout.grid.rows * layout.grid.cols);
      const per = 3 * 64 * 64;
      expect(views.pixels.subarray(0, per)).toEqual((await preprocessImage(png, spec)).pixels);
      // Naive: canvas pixel (x, y) is the resized image's where the paste box covers it, else black.
      const resized = resizePil(await decodeRgb(png), layout.pad.width, layout.pad.height, 3);
      const value = (v: number) => Math.fround(Math.fround(Math.fround(v * (1 / 255)) - 0.5) / 0.5);
      layout.crops.forEach(([left, top], k) => {
        const expected = new Float32Array(per);
        for (let c = 0; c < 3; c++) {
          for (let y = 0; y < 64; y++) {
            for (let x = 0; x < 64; x++) {
              const [px, py] = [left + x - layout.pad.left, top + y - layout.pad.top];
              const inside = px >= 0 && py >= 0 && px < resized.width && py < resized.height;
              expected[(c * 64 + y) * 64 + x] = value(inside ? resized.data[(py * resized.width + px) * 3 + c] : 0);
            }
          }
        }
        const got = views.pixels.subarray((k + 1) * per, (k + 2) * per);
        expect(expected.filter((v, i) => v !== got[i]).length, `crop ${k}: pixels that differ`).toBe(0);
      });
    });
  }
});
