import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { Rng } from '@dymu/core';
import type { RgbImage } from '@dymu/encoders';
import { edgeDensity, jpegBytesPerPixel, linearFit, pearson, renderMergeGroups, scatterSvg, svgToPng } from '../src/index.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function image(width: number, height: number, pixel: (x: number, y: number) => number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.fill(pixel(x, y), 3 * (y * width + x), 3 * (y * width + x) + 3);
  return { data, width, height };
}

describe('image complexity', () => {
  it('finds no edges in a flat image and exactly the two columns beside a step', () => {
    expect(edgeDensity(image(20, 10, () => 128))).toBe(0);
    // Step between x = 9 and 10: the Sobel magnitude (kernels / 4) is 1 at x = 9 and x = 10, 0 elsewhere.
    expect(edgeDensity(image(20, 10, (x) => (x < 10 ? 0 : 255)))).toBeCloseTo(2 / 18, 12);
    // A faint step (10 grey levels ≈ 0.039) stays under the 0.1 threshold.
    expect(edgeDensity(image(20, 10, (x) => (x < 10 ? 100 : 110)))).toBe(0);
  });

  it('gives noise more JPEG bytes per pixel than a flat image', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'viz-'));
    const rng = new Rng(1);
    const noise = Buffer.from(Array.from({ length: 256 * 256 * 3 }, () => rng.int(256)));
    await sharp(noise, { raw: { width: 256, height: 256, channels: 3 } }).png().toFile(join(dir, 'noise.png'));
    await sharp({ create: { width: 256, height: 256, channels: 3, background: '#808080' } }).png().toFile(join(dir, 'flat.png'));
    const [n, f] = [await jpegBytesPerPixel(join(dir, 'noise.png')), await jpegBytesPerPixel(join(dir, 'flat.png'))];
    expect(n).toBeGreaterThan(5 * f);
    await expect(jpegBytesPerPixel(join(dir, 'nope.png'))).rejects.toThrow(/nope\.png/);
  });

  it('computes Pearson correlation and the least-squares line', () => {
    expect(pearson([1, 2, 3], [2, 4, 6])).toBeCloseTo(1, 12);
    expect(pearson([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 12);
    // x = 1..4, y = 1,3,2,4: cov = 1.25·… → r = 0.8 (sxy = 4, sxx = 5, syy = 5).
    expect(pearson([1, 2, 3, 4], [1, 3, 2, 4])).toBeCloseTo(0.8, 12);
    expect(linearFit([0, 1, 2], [1, 3, 5])).toEqual({ slope: 2, intercept: 1 });
  });
});

describe('merge-group pictures', () => {
  const img = image(8, 8, (x, y) => (x + y) * 10);

  it('draws borders only between different tokens and tints each group', async () => {
    const grid = 2; // 4 patches of 4×4 pixels, drawn 8× larger: 32×32 each
    const merged = await sharp(await renderMergeGroups(img, Int32Array.from([0, 0, 0, 0]), grid, '1 token', { minSide: 64, alpha: 0.5 })).raw().toBuffer({ resolveWithObject: true });
    const split = await sharp(await renderMergeGroups(img, Int32Array.from([0, 1, 1, 1]), grid, '2 tokens', { minSide: 64, alpha: 0.5 })).raw().toBuffer({ resolveWithObject: true });
    expect(merged.info.width).toBe(64);
    const px = (r: typeof merged, x: number, y: number) => Array.from(r.data.subarray((y * 64 + x) * r.info.channels, (y * 64 + x) * r.info.channels + 3));
    // Bottom-right pixel, below the label: token 0's colour (hue 0: 242, 61, 61) blended half with grey (7+7)·10 = 140, truncated: (191, 100.5 → 100, 100).
    expect(px(merged, 63, 63)).toEqual([191, 100, 100]);
    // With patch 0 alone, x = 31 (its last column) is a darkened border pixel; x = 20 is not.
    const inside = px(split, 20, 30), border = px(split, 31, 30);
    expect(border[0]).toBeLessThan(0.5 * inside[0]);
    expect(px(merged, 31, 30)[0]).toBeGreaterThan(0.8 * px(merged, 20, 30)[0]);
  });

  it('makes a scatter plot with one point per sample and the regression line', () => {
    const svg = scatterSvg({ x: [1, 2, 3], y: [10, 30, 20], xLabel: 'x', yLabel: 'y', title: 'tokens <vs> complexity', fit: true });
    expect(svg.match(/<circle/g)).toHaveLength(3);
    expect(svg).toContain('stroke="#d62728"');
    expect(svg).toContain('tokens &#60;vs&#62; complexity');
  });

  it('renders the plot to a PNG (the SVG parses)', async () => {
    const png = svgToPng(scatterSvg({ x: [0.1, 0.5, 0.9], y: [20, 40, 35], xLabel: 'x', yLabel: 'y', title: 't', fit: true }));
    expect(await sharp(png).metadata()).toMatchObject({ format: 'png', width: 720, height: 480 });
  });
});
