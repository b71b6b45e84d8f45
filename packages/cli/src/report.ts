import { basename } from 'node:path';
import type { PadMode, VitEncoder } from '@dymu/encoders';

/** Encodes images in batches and prints, per image, its token count, then throughput and the share of time inside onnxruntime. */
export async function encodeAndReport(encoder: VitEncoder, images: string[], options: { batch: number; pad: PadMode }): Promise<void> {
  encoder.pool.resetStats();
  const t0 = performance.now();
  const width = Math.max(...images.map((p) => basename(p).length), 5);
  console.log(`${'image'.padEnd(width)}  tokens  with-cls`);
  for (let i = 0; i < images.length; i += options.batch) {
    const paths = images.slice(i, i + options.batch);
    const encoded = await encoder.encode(paths, { pad: options.pad });
    encoded.forEach((e, j) => console.log(`${basename(paths[j]).padEnd(width)}  ${String(e.count).padStart(6)}  ${String(e.countWithClassToken).padStart(8)}`));
  }
  const ms = performance.now() - t0;
  const { runMs } = encoder.pool.stats();
  console.log(
    `${images.length} images in ${ms.toFixed(0)} ms (${((images.length * 1000) / ms).toFixed(2)} images/s, batch ${options.batch}); ` +
      `${((100 * runMs) / ms).toFixed(1)} % inside onnxruntime, the rest is decoding/preprocessing and the glue between blocks`,
  );
}
