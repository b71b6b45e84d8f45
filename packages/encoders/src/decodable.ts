import { decodeRgb } from './preprocess.ts';
import type { EncodeOptions, VitEncoder } from './vit-encoder.ts';

/**
 * Encodes, as one batch, the images that decode, leaving out those that do not (missing, not an
 * image, truncated: whatever `decodeRgb` refuses). Returns the positions left out. When every image
 * decodes this is one `encode`; otherwise each image is decoded once more to find the bad ones. An
 * error that is no image's fault is thrown as it is.
 */
export async function encodeDecodable(encoder: VitEncoder, images: readonly string[], options: EncodeOptions): Promise<number[]> {
  try {
    await encoder.encode([...images], options);
    return [];
  } catch (error) {
    const failed: number[] = [];
    for (const [i, image] of images.entries()) await decodeRgb(image).catch(() => failed.push(i));
    if (failed.length === 0) throw error;
    const kept = images.filter((_, i) => !failed.includes(i));
    if (kept.length > 0) await encoder.encode(kept, options);
    return failed;
  }
}
