/**
 * Merging speed: encoder images/s for none vs ToMe vs DToMe (-low/-mid/-high) on generated
 * ViT-B/16- and ViT-L/14-336-sized CLIP towers (LLaVA features: the penultimate block), batch 1
 * (no padding), on the photos of `assets/images` (or `--images DIR`), every image through every
 * policy in turn. Per policy: mean visual tokens, the speed-up the FLOP formula predicts from the
 * actual per-block token counts (DYMU.md §8), the measured speed-up vs `none` in the same run,
 * achieved / predicted (goal ≥ 0.9), and the merging step's own share of block time (matching +
 * plan + merge). DToMe thresholds are calibrated first on the same photos (batch 5, DyMU's
 * batch-level rule), once per variant.
 *
 *   npx tsx bench/merging.ts [--presets base-16,large-14-336 --images DIR]
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureAllocator, type MergePolicy } from '@dymu/core';
import { emptyTimings, LLAVA_FEATURES, preprocessBatch, VitEncoder } from '@dymu/encoders';
import { blockThresholds, calibrate, dtomePolicy, encoderCost, resolveSchedule, tomePolicy, VARIANTS } from '@dymu/merging';
import { SessionPool } from '@dymu/onnx';
import { numPatches } from '@dymu/weights';
import { benchModel } from './models.ts';

await ensureAllocator(); // the allocator settings the dymu launcher runs with

const { values } = parseArgs({ options: { presets: { type: 'string', default: 'base-16,large-14-336' }, images: { type: 'string', default: join(import.meta.dirname, '..', 'assets', 'images') } } });
const images = readdirSync(values.images).filter((f) => /\.(jpe?g|png)$/i.test(f)).sort().map((f) => join(values.images, f));

for (const preset of values.presets.split(',')) {
  const dir = benchModel('clip-vit', preset);
  const pool = new SessionPool();
  const encoder = await VitEncoder.load(dir, { features: LLAVA_FEATURES, pool });
  const calibration = await VitEncoder.load(dir, { features: { layer: -1, postLayerNorm: false, dropClassToken: false }, pool });
  const { hiddenSize: D, intermediateSize: Dmlp } = encoder.config;
  const shape = { ...encoder.config, patches: numPatches(encoder.config) };
  const policies: [string, MergePolicy][] = [['none', { name: 'none', usesMatching: false, plan: () => null }]];
  for (const variant of VARIANTS) {
    const { r } = resolveSchedule(variant, shape);
    policies.push([`tome-${variant}`, tomePolicy(r)]);
    const taus = await calibrate({ images, batchSize: 5, schedule: r, encodeBatch: async (batch, policy) => void (await calibration.encode(batch, { policy })) });
    policies.push([`dtome-${variant}`, dtomePolicy(blockThresholds(taus, r).map((b) => b.threshold))]);
  }
  const pixels = await Promise.all(images.map(async (path) => (await preprocessBatch([path], encoder.preprocessing)).pixels));
  await encoder.encodePixels(pixels[0], 1); // warm-up
  console.log(`\n## clip-vit ${preset} (${encoder.blocks} blocks run, batch 1, ${images.length} images)\n`);
  console.log('| policy | tokens | images/s | predicted speed-up | measured speed-up | achieved / predicted | merging share of block time |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  // Interleaved: every image goes through every policy in turn, so drifts in machine load hit all alike.
  const totals = policies.map(() => ({ seconds: 0, tokens: 0, cost: 0, timings: emptyTimings() }));
  for (const p of pixels) {
    for (const [i, [, policy]] of policies.entries()) {
      const t0 = performance.now();
      const [e] = await encoder.encodePixels(p, 1, { policy, timings: totals[i].timings });
      totals[i].seconds += (performance.now() - t0) / 1000;
      totals[i].tokens += e.countWithClassToken;
      totals[i].cost += encoderCost(shape.patches + 1, e.blockCounts, D, Dmlp);
    }
  }
  const [baseline] = totals;
  for (const [i, [name]] of policies.entries()) {
    const { seconds, tokens, cost, timings } = totals[i];
    const predicted = baseline.cost / cost, measured = baseline.seconds / seconds;
    const share = timings.merging / (timings.attention + timings.merging + timings.mlp);
    console.log(`| ${name} | ${(tokens / images.length).toFixed(1)} | ${(images.length / seconds).toFixed(2)} | ${predicted.toFixed(2)} | ${measured.toFixed(2)} | ${(measured / predicted).toFixed(2)} | ${(100 * share).toFixed(2)} % |`);
  }
  await pool.release();
}
