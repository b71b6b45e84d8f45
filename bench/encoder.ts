/**
 * Encoder cost, measured in one run: onnxruntime's MatMul peak on this machine (a plain 2048² and
 * 4096² product), then for ViT-B/16- and ViT-L/14-336-sized generated CLIP towers (LLaVA features:
 * the penultimate block), each in a fresh process:
 * - load time: the first load (weights possibly not in the page cache) and a warm one (a second
 *   process, files cached), which is what every CLI call, `--jobs` worker and Slurm task pays;
 * - images/s at batch 1 and 8, GFLOP/s from the ViT cost formula (2 FLOPs per multiply-add of
 *   DYMU.md §8) and its share of the MatMul peak, the share of wall time outside onnxruntime;
 * - peak RSS against the bytes of the weights the encoder runs;
 * - the same measurement under glibc's default malloc settings, the reason for ensureAllocator.
 * Preprocessing is excluded (pixels are prepared once); it is timed on its own line.
 *
 *   npm run bench:encoder [-- --presets base-16,large-14-336 --iters 3]
 */
import { readdirSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureAllocator } from '@dymu/core';
import { LLAVA_FEATURES, preprocessBatch, VitEncoder } from '@dymu/encoders';
import { encoderCost } from '@dymu/merging';
import { GraphBuilder, SessionPool } from '@dymu/onnx';
import { readPreprocessorConfig, readVitConfig, WeightStore } from '@dymu/weights';
import { benchModel, inChild, peakRssBytes, randomRows } from './models.ts';

await ensureAllocator();
const { values } = parseArgs({ options: { presets: { type: 'string', default: 'base-16,large-14-336' }, iters: { type: 'string', default: '3' }, child: { type: 'string' } } });
const iters = Number(values.iters);
const assets = join(import.meta.dirname, '..', 'assets', 'images');
const images = readdirSync(assets).filter((f) => f.endsWith('.jpg')).sort().map((f) => join(assets, f));
const BATCHES = [1, 8];

interface Measured {
  loadS: number;
  /** CPU seconds in the kernel over the whole child (page faults of mapped and unmapped activations show here). */
  systemS: number;
  /** Per batch size: ms per image, the share outside onnxruntime, FLOPs per image. */
  runs: { batch: number; msPerImage: number; outside: number; flopsPerImage: number }[];
  peakRss: number;
  weightBytes: number;
}

/** In a fresh process: load the tower, encode at each batch size. */
async function measure(preset: string): Promise<Measured> {
  const dir = benchModel('clip-vit', preset);
  const t0 = performance.now();
  const encoder = await VitEncoder.load(dir, { features: LLAVA_FEATURES });
  const loadS = (performance.now() - t0) / 1000;
  const { config } = encoder;
  const store = WeightStore.open(dir);
  const used = (name: string) => {
    const block = /encoder\.layers\.(\d+)\./.exec(name);
    return block ? Number(block[1]) < encoder.blocks : /embeddings|pre_layrnorm/.test(name);
  };
  const weightBytes = store.names().filter(used).reduce((sum, name) => sum + store.info(name).byteLength, 0);
  const runs = [];
  for (const batch of BATCHES) {
    const { pixels } = await preprocessBatch(Array.from({ length: batch }, (_, i) => images[i % images.length]), encoder.preprocessing);
    const [first] = await encoder.encodePixels(pixels, batch); // warm-up
    encoder.pool.resetStats();
    const t = performance.now();
    for (let i = 0; i < iters; i++) await encoder.encodePixels(pixels, batch);
    const ms = performance.now() - t;
    const tokens0 = encoder.patches + (config.classToken ? 1 : 0);
    const flopsPerImage = 2 * encoderCost(tokens0, first.blockCounts, config.hiddenSize, config.intermediateSize);
    runs.push({ batch, msPerImage: ms / (iters * batch), outside: 1 - encoder.pool.stats().runMs / ms, flopsPerImage });
  }
  return { loadS, systemS: process.cpuUsage().system / 1e6, runs, peakRss: peakRssBytes(), weightBytes };
}

if (values.child !== undefined) {
  process.stdout.write(`${JSON.stringify(await measure(values.child))}\n`);
  process.exit(0);
}

/** `allocator: 'system'`: glibc's default malloc settings instead of the project's (ensureAllocator). */
function child(preset: string, allocator: 'ours' | 'system' = 'ours'): Measured {
  const env = allocator === 'ours' ? process.env : { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('MALLOC_'))), DYMU_ALLOCATOR: 'system' };
  return inChild<Measured>(['--child', preset, '--iters', String(iters)], preset, env);
}

/** GFLOP/s of onnxruntime's MatMul on n × n float32 matrices (median of 5 after a warm-up). */
async function matmulPeak(n: number): Promise<number> {
  const pool = new SessionPool();
  const session = await pool.get(`matmul${n}`, () => {
    const g = new GraphBuilder('matmul');
    g.output(g.op1('MatMul', [g.input('x', 'float32', [n, n]), g.initializer('w', randomRows(n, n), [n, n])]), 'y', 'float32', [n, n]);
    return g.toBytes();
  });
  const x = randomRows(n, n);
  const ms: number[] = [];
  for (let i = 0; i < 6; i++) {
    const t = performance.now();
    await session.run({ x: { data: x, dims: [n, n] } });
    if (i > 0) ms.push(performance.now() - t);
  }
  await pool.release();
  return (2 * n ** 3) / ms.sort((a, b) => a - b)[2] / 1e6;
}

console.log(`host load average at start: ${loadavg().map((x) => x.toFixed(1)).join(' ')} (${availableParallelism()} cores)\n`);
const peaks = [await matmulPeak(2048), await matmulPeak(4096)];
const peak = Math.max(...peaks);
console.log(`onnxruntime MatMul peak: ${peaks[0].toFixed(0)} GFLOP/s (2048²), ${peaks[1].toFixed(0)} GFLOP/s (4096²); shares below are of ${peak.toFixed(0)}\n`);
console.log('| model | load, first, s | load, warm, s | batch | images/s | ms/image | GFLOP/s | share of MatMul peak | outside onnxruntime | peak RSS / weights |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
const system: [string, Measured, Measured][] = [];
for (const preset of values.presets.split(',')) {
  const first = child(preset);
  const warm = child(preset);
  system.push([preset, warm, child(preset, 'system')]);
  for (const r of warm.runs) {
    const gflops = r.flopsPerImage / r.msPerImage / 1e6;
    const rss = `${(warm.peakRss / 1e9).toFixed(2)} GB / ${(warm.weightBytes / 1e9).toFixed(2)} GB = ${(warm.peakRss / warm.weightBytes).toFixed(2)}`;
    console.log(`| clip-vit ${preset} | ${first.loadS.toFixed(2)} | ${warm.loadS.toFixed(2)} | ${r.batch} | ${(1000 / r.msPerImage).toFixed(2)} | ${r.msPerImage.toFixed(0)} | ${gflops.toFixed(0)} | ${((100 * gflops) / peak).toFixed(0)} % | ${(100 * r.outside).toFixed(1)} % | ${rss} |`);
  }
}

console.log("\n### Allocation: the project's malloc settings (ALLOCATOR_ENV) against glibc's defaults, same runs\n");
console.log('| model | batch | ms/image, ours | ms/image, glibc defaults | speed-up | system CPU s, ours | system CPU s, defaults | peak RSS GB, ours | peak RSS GB, defaults |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
for (const [preset, ours, glibc] of system) {
  ours.runs.forEach((r, i) => {
    const d = glibc.runs[i];
    console.log(`| clip-vit ${preset} | ${r.batch} | ${r.msPerImage.toFixed(0)} | ${d.msPerImage.toFixed(0)} | ${(d.msPerImage / r.msPerImage).toFixed(2)}× | ${ours.systemS.toFixed(1)} | ${glibc.systemS.toFixed(1)} | ${(ours.peakRss / 1e9).toFixed(2)} | ${(glibc.peakRss / 1e9).toFixed(2)} |`);
  });
}

const model = benchModel('clip-vit', values.presets.split(',')[0]);
const t0 = performance.now();
await preprocessBatch(images, readPreprocessorConfig(model, readVitConfig(model)));
console.log(`\npreprocessing (sharp decode, PIL-exact resize + crop, normalise): ${((performance.now() - t0) / images.length).toFixed(1)} ms/image`);
