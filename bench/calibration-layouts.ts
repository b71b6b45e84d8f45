/**
 * The two calibration layouts compared (DYMU.md §3b): DToMe thresholds calibrated with the official
 * and the compact batch layout on the same photos in the same batches, block by block, and the
 * visual tokens per image each set of thresholds gives (LLaVA features: the penultimate block, class
 * token included; mean ± population std over the photos). Generated towers with deterministic
 * weights: tiny CLIP and SigLIP (64 patches, 4 blocks) and CLIP ViT-B/16 (196 patches, 12 blocks).
 * The photos are shuffled with seed 0, as a calibration samples them; an incomplete last batch is
 * left out.
 *
 *   npx tsx bench/calibration-layouts.ts [--images DIR --batch 3 --variants low,mid,high --models clip-vit:tiny,siglip-vit:tiny,clip-vit:base-16]
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LLAVA_FEATURES, VitEncoder } from '@dymu/encoders';
import { blockThresholds, calibrate, CALIBRATION_LAYOUTS, dtomePolicy, resolveSchedule, sampleImages, tokenCounts } from '@dymu/merging';
import { SessionPool } from '@dymu/onnx';
import { numPatches } from '@dymu/weights';
import { benchModel } from './models.ts';

const { values } = parseArgs({
  options: {
    images: { type: 'string', default: join(import.meta.dirname, '..', 'assets', 'images') },
    batch: { type: 'string', default: '3' },
    variants: { type: 'string', default: 'low,mid,high' },
    models: { type: 'string', default: 'clip-vit:tiny,siglip-vit:tiny,clip-vit:base-16' },
  },
});
const batchSize = Number(values.batch);
const photos = readdirSync(values.images).filter((f) => /\.(jpe?g|png)$/i.test(f)).sort().map((f) => join(values.images, f));
const images = sampleImages(photos, 0);
const f4 = (v: number | null) => (v === null ? '–' : v.toFixed(4));

console.log(`${photos.length} photos of ${values.images}, shuffled with seed 0, batches of ${batchSize} (${Math.floor(photos.length / batchSize)} batches)\n`);
for (const spec of values.models.split(',')) {
  const [arch, preset] = spec.split(':') as ['clip-vit' | 'siglip-vit', string];
  const dir = benchModel(arch, preset);
  const pool = new SessionPool();
  const calibrating = await VitEncoder.load(dir, { features: { layer: -1, postLayerNorm: false, dropClassToken: false }, pool });
  const encoder = await VitEncoder.load(dir, { features: LLAVA_FEATURES, pool });
  for (const variant of values.variants.split(',')) {
    const schedule = resolveSchedule(variant, { ...calibrating.config, patches: numPatches(calibrating.config) }, 'constant');
    const results: { layout: string; thresholds: (number | null)[]; tokens: ReturnType<typeof tokenCounts> }[] = [];
    for (const layout of CALIBRATION_LAYOUTS) {
      const taus = await calibrate({ images, batchSize, schedule: schedule.r, layout, encodeBatch: async (names, policy) => void (await calibrating.encode(names, { policy })) });
      const thresholds = blockThresholds(taus, schedule.r).map((b) => b.threshold);
      const encoded = await encoder.encode(photos, { policy: dtomePolicy(thresholds) });
      results.push({ layout, thresholds, tokens: tokenCounts(encoded.map((e) => e.countWithClassToken)) });
    }
    const [official, compact] = results;
    console.log(`## ${arch} ${preset}, ${variant}: r = [${schedule.r.join(', ')}]`);
    console.log('| block | τ official | τ compact | official − compact |\n|--:|--:|--:|--:|');
    official.thresholds.forEach((t, block) => {
      const c = compact.thresholds[block];
      console.log(`| ${block} | ${f4(t)} | ${f4(c)} | ${t === null || c === null ? '–' : (t - c >= 0 ? '+' : '−') + Math.abs(t - c).toFixed(4)} |`);
    });
    const largest = Math.max(...official.thresholds.map((t, i) => (t === null ? 0 : Math.abs(t - compact.thresholds[i]!))));
    const tokens = (r: (typeof results)[number]) => `${r.tokens.mean.toFixed(1)} ± ${r.tokens.std.toFixed(1)}`;
    console.log(`largest |Δτ| ${largest.toFixed(4)}; tokens per photo (after block ${encoder.blocks - 1}, class token included): official ${tokens(official)}, compact ${tokens(compact)}\n`);
  }
  await pool.release();
}
