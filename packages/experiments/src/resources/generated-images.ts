import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { canonicalJson, commitDirectory, Rng, sha256, temporaryDirectory } from '@dymu/core';
import type { ImageRecord } from '@dymu/datasets';

/** Image kinds of increasing complexity: one colour, a linear blend of two, a smooth two-colour pattern, per-pixel noise. */
export const IMAGE_KINDS = ['flat', 'gradient', 'texture', 'noise'] as const;
export type ImageKind = (typeof IMAGE_KINDS)[number];

export interface GeneratedImages {
  readonly kinds: readonly ImageKind[];
  /** Images per kind. */
  readonly count: number;
  /** Side in pixels. */
  readonly size: number;
  readonly seed: number;
}

/** RGB bytes [size, size, 3] of one image, drawn from `rng`. */
export function drawImage(kind: ImageKind, size: number, rng: Rng): Uint8Array {
  const colour = () => [rng.int(256), rng.int(256), rng.int(256)];
  const pixels = new Uint8Array(size * size * 3);
  const [c0, c1] = [colour(), colour()];
  const blend = (i: number, t: number) => {
    for (let ch = 0; ch < 3; ch++) pixels[3 * i + ch] = Math.round(c0[ch] + (c1[ch] - c0[ch]) * t);
  };
  const angle = 2 * Math.PI * rng.float();
  const [fx, fy] = [2 + 4 * rng.float(), 2 + 4 * rng.float()];
  const [px, py] = [rng.float(), rng.float()];
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = y * size + x;
      const [u, v] = [(x + 0.5) / size - 0.5, (y + 0.5) / size - 0.5];
      if (kind === 'flat') blend(i, 0);
      else if (kind === 'gradient') blend(i, Math.min(1, Math.max(0, 0.5 + (u * Math.cos(angle) + v * Math.sin(angle)) / Math.SQRT2)));
      else if (kind === 'texture') blend(i, 0.5 + 0.5 * Math.sin(2 * Math.PI * (fx * u + px)) * Math.sin(2 * Math.PI * (fy * v + py)));
      else for (let ch = 0; ch < 3; ch++) pixels[3 * i + ch] = rng.int(256);
    }
  }
  return pixels;
}

/**
 * Writes the images as PNG files (once: a directory named by the hash of the parameters, written
 * under a temporary name and renamed) and returns their records: id `<kind>-<i>`, `group` the kind.
 * Image i of a kind is drawn from Rng.stream(seed, `generated/<kind>/<i>`).
 */
export async function generatedImages(spec: GeneratedImages, cache: string): Promise<ImageRecord[]> {
  const dir = join(cache, 'images', `generated-${sha256(canonicalJson(spec)).slice(0, 16)}`);
  const images = spec.kinds.flatMap((kind) => Array.from({ length: spec.count }, (_, i) => ({ kind, i, id: `${kind}-${String(i).padStart(3, '0')}` })));
  if (!existsSync(dir)) {
    const temporary = temporaryDirectory(dir);
    mkdirSync(temporary);
    for (const { kind, i, id } of images) {
      const pixels = drawImage(kind, spec.size, Rng.stream(spec.seed, `generated/${kind}/${i}`));
      await sharp(pixels, { raw: { width: spec.size, height: spec.size, channels: 3 } }).png().toFile(join(temporary, `${id}.png`));
    }
    commitDirectory(temporary, dir);
  }
  return images.map(({ kind, id }) => ({ id, imagePath: join(dir, `${id}.png`), source: 'generated', group: kind }));
}
