/**
 * Memory of a ViT-B/16-sized generated CLIP tower: weight bytes on disk, RSS after loading (all
 * block sessions created), RSS after each of several batches, and the process's peak RSS. Weights
 * live once, inside onnxruntime: RSS must not grow with the number of runs.
 *
 *   MALLOC_MMAP_THRESHOLD_=131072 node --expose-gc --import tsx bench/memory.ts [--preset base-16 --runs 5 --batch 8 --arena]
 *
 * (the malloc setting makes glibc return freed memory, so RSS shows what is in use; --arena turns
 * on onnxruntime's per-session memory arenas to show what they cost).
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { LLAVA_FEATURES, VitEncoder } from '@dymu/encoders';
import { SessionPool } from '@dymu/onnx';
import { benchModel } from './models.ts';

const { values } = parseArgs({ options: { preset: { type: 'string', default: 'base-16' }, runs: { type: 'string', default: '5' }, batch: { type: 'string', default: '8' }, arena: { type: 'boolean', default: false } } });
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
const dir = benchModel('clip-vit', values.preset);
const weightBytes = statSync(join(dir, 'model.safetensors')).size;
const rss0 = process.memoryUsage().rss;
const encoder = await VitEncoder.load(dir, { features: LLAVA_FEATURES, pool: new SessionPool({ memoryArena: values.arena }) });
global.gc?.();
const rssLoaded = process.memoryUsage().rss;
console.log(`weights on disk (float32): ${mb(weightBytes)}; RSS before load ${mb(rss0)}, after load ${mb(rssLoaded)} (+${mb(rssLoaded - rss0)}, ${((rssLoaded - rss0) / weightBytes).toFixed(2)}× the weights)`);
const batch = Number(values.batch);
const { imageSize: S, numChannels: C } = encoder.config;
const pixels = new Float32Array(batch * C * S * S).map((_, i) => Math.sin(i));
for (let run = 1; run <= Number(values.runs); run++) {
  await encoder.encodePixels(pixels, batch);
  global.gc?.();
  console.log(`after run ${run} (batch ${batch}): RSS ${mb(process.memoryUsage().rss)}`);
}
console.log(`peak RSS: ${mb(process.resourceUsage().maxRSS * 1024)}`);
