import sharp from 'sharp';
import { DymuError } from '@dymu/core';
import type { RgbImage } from '@dymu/encoders';

/**
 * The paper's image complexity (DYMU.md §9): bytes of the image saved as JPEG at quality 50,
 * divided by its pixel count. Encoded like PIL's default JPEG save (4:2:0, no optimised coding).
 */
export async function jpegBytesPerPixel(path: string): Promise<number> {
  try {
    const image = sharp(path).rotate();
    const { info, data } = await image.jpeg({ quality: 50, chromaSubsampling: '4:2:0', optimiseCoding: false, mozjpeg: false }).toBuffer({ resolveWithObject: true });
    return data.length / (info.width * info.height);
  } catch (e) {
    throw new DymuError(`cannot encode as JPEG: ${(e as Error).message}`, { file: path, cause: e });
  }
}

/**
 * Share of pixels on an edge: Sobel gradient of the luma (PIL's "L": 0.299 R + 0.587 G + 0.114 B,
 * scaled to [0, 1]; kernels divided by 4 so a unit step gives magnitude 1) above `threshold`.
 * Border pixels are skipped.
 */
export function edgeDensity(image: RgbImage, threshold = 0.1): number {
  const { width: w, height: h, data } = image;
  if (w < 3 || h < 3) return 0;
  const luma = new Float32Array(w * h);
  for (let i = 0; i < w * h; i++) luma[i] = (0.299 * data[3 * i] + 0.587 * data[3 * i + 1] + 0.114 * data[3 * i + 2]) / 255;
  let edges = 0;
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const p = (dy: number, dx: number) => luma[(y + dy) * w + x + dx];
      const gx = (p(-1, 1) + 2 * p(0, 1) + p(1, 1) - p(-1, -1) - 2 * p(0, -1) - p(1, -1)) / 4;
      const gy = (p(1, -1) + 2 * p(1, 0) + p(1, 1) - p(-1, -1) - 2 * p(-1, 0) - p(-1, 1)) / 4;
      if (Math.hypot(gx, gy) > threshold) edges++;
    }
  }
  return edges / ((w - 2) * (h - 2));
}

/** Pearson correlation of two equally long series (NaN when either is constant). */
export function pearson(x: readonly number[], y: readonly number[]): number {
  if (x.length !== y.length) throw new DymuError(`series of ${x.length} and ${y.length} values`);
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n, my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/** Least-squares line y = slope·x + intercept. */
export function linearFit(x: readonly number[], y: readonly number[]): { slope: number; intercept: number } {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n, my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0, sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
  }
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx };
}
