/**
 * Encoder throughput: images/s of ViT-B/16- and ViT-L/14-336-sized generated CLIP towers at batch 1
 * and 8 (LLaVA features: the penultimate block), and the share of wall time spent outside
 * onnxruntime (JS glue between blocks; goal < 5 %). Preprocessing is excluded (pixels are prepared
 * once); it is timed on its own line.
 *
 *   npm run bench:encoder [-- --presets base-16,large-14-336 --iters 3]
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LLAVA_FEATURES, preprocessBatch, VitEncoder } from '@dymu/encoders';
import { readPreprocessorConfig, readVitConfig } from '@dymu/weights';
import { benchModel } from './models.ts';

const { values } = parseArgs({ options: { presets: { type: 'string', default: 'base-16,large-14-336' }, iters: { type: 'string', default: '3' } } });
const iters = Number(values.iters);
const assets = join(import.meta.dirname, '..', 'assets', 'images');
const images = readdirSync(assets).filter((f) => f.endsWith('.jpg')).sort().map((f) => join(assets, f));

console.log('| model | batch | images/s | ms/image | outside onnxruntime |');
console.log('| --- | --- | --- | --- | --- |');
for (const preset of values.presets.split(',')) {
  const encoder = await VitEncoder.load(benchModel('clip-vit', preset), { features: LLAVA_FEATURES });
  for (const batch of [1, 8]) {
    const batchImages = Array.from({ length: batch }, (_, i) => images[i % images.length]);
    const { pixels } = await preprocessBatch(batchImages, encoder.preprocessing);
    await encoder.encodePixels(pixels, batch); // warm-up
    encoder.pool.resetStats();
    const t0 = performance.now();
    for (let i = 0; i < iters; i++) await encoder.encodePixels(pixels, batch);
    const ms = performance.now() - t0;
    const outside = 1 - encoder.pool.stats().runMs / ms;
    const n = iters * batch;
    console.log(`| clip-vit ${preset} | ${batch} | ${((n * 1000) / ms).toFixed(2)} | ${(ms / n).toFixed(1)} | ${(100 * outside).toFixed(2)} % |`);
  }
  await encoder.pool.release();
}

const spec = readPreprocessorConfig(benchModel('clip-vit', values.presets.split(',')[0]), readVitConfig(benchModel('clip-vit', values.presets.split(',')[0])));
const t0 = performance.now();
await preprocessBatch(images, spec);
console.log(`\npreprocessing (sharp decode, PIL-exact resize + crop, normalise): ${((performance.now() - t0) / images.length).toFixed(1)} ms/image`);
