import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { Rng } from '@dymu/core';
import { calibrate, dtomePolicy, sampleImages, variantSchedule } from '@dymu/merging';
import { makeVitModel } from '@dymu/weights';
import { preprocessBatch, VitEncoder } from '@dymu/encoders';
const FIX = '/work/shared/fixtures/images';
const IMAGES = readdirSync(FIX).sort().map((f) => join(FIX, f));
const mode = process.argv[2];
let sources: (string | Buffer)[] = IMAGES;
if (mode === 'crops' || mode === 'one') {
  const rng = Rng.stream(0, 'crops');
  sources = [];
  for (const p of mode === 'one' ? Array(10).fill(join(FIX, process.argv[3])) : IMAGES) {
    const { width, height } = await sharp(p).metadata();
    for (let k = 0; k < 4; k++) {
      const s = Math.floor(Math.min(width!, height!) * (0.4 + 0.5 * rng.float()));
      const left = rng.int(width! - s + 1), top = rng.int(height! - s + 1);
      sources.push(await sharp(p).extract({ left, top, width: s, height: s }).flop(k % 2 === 1).jpeg().toBuffer());
    }
  }
}
const N = sources.length;
for (const arch of ['clip-vit', 'siglip-vit'] as const) for (const seed of [0, 3, 5, 7]) {
  const { dir } = makeVitModel({ arch, preset: 'tiny', seed, out: `/tmp/dm/${arch}-${seed}` });
  const enc = await VitEncoder.load(dir, { features: { layer: -1, postLayerNorm: false, dropClassToken: false } });
  const { pixels } = await preprocessBatch(sources, enc.preprocessing);
  const per = pixels.length / N;
  const t0 = enc.patches + (enc.config.classToken ? 1 : 0);
  const sched = variantSchedule({ ...enc.config, patches: enc.patches }, 'mid').r;
  for (const [B, reps] of [[5, 1], [8, 1], [8, 4]]) {
    const names = Array.from({ length: reps }, (_, k) => sampleImages(sources.map((_, i) => String(i)), k)).flat();
    const taus = await calibrate({ images: names, batchSize: B, schedule: sched, encodeBatch: async (b, policy) => {
      const px = new Float32Array(b.length * per); b.forEach((n, j) => px.set(pixels.subarray(Number(n) * per, (Number(n) + 1) * per), j * per));
      await enc.encodePixels(px, b.length, { policy }); } });
    const th = sched.map((_, i) => taus.reduce((s, t) => s + t[i]!, 0) / taus.length);
    const out = await enc.encodePixels(pixels, N, { policy: dtomePolicy(th) });
    const means = sched.map((_, i) => out.reduce((s, e) => s + ((i ? e.blockCounts[i - 1] : t0) - e.blockCounts[i]), 0) / N);
    console.log(arch, seed, B, reps, taus.length, means.map((m) => m.toFixed(1)).join(','), Math.max(...means.map((m, i) => Math.abs(m - sched[i]))).toFixed(2));
  }
}
