/**
 * A 7B decoder on this machine, for every weight format (float32, int8, int4). The model is a
 * generated LLaMA-7B-shaped checkpoint (32 layers, hidden 4096, MLP 11008, 32 heads, vocab 32000)
 * written in the Hub layout as BF16 shards, so the quantised formats are made while loading, as
 * from a real checkpoint. Each format runs in its own process (peak RSS is per process):
 * - load time: cold (quantise + write the cache) and warm (from the cache), peak RSS;
 * - prefill of LLaVA-1.5's prompt, 35 + 576 + 20 positions, and of the DyMU-low / -mid / -high
 *   layouts (89 / 195 / 394 image tokens) with VTU;
 * - decoding, ms per generated token after that prefill.
 * float32 (27 GB of weights) does not fit 24 GB: it is measured on the same checkpoint cut to one
 * and to eight layers, and scaled (one-layer + 31 × the per-layer difference); it says so.
 * First, the kernels behind the choice of formats: one 4096 × 11008 weight, one and 631 rows
 * (int8 runs as DynamicQuantizeMatMul, int4 as MatMulNBits; 8-bit MatMulNBits shown for comparison).
 *
 *   npm run bench:llm [-- --formats float32,int8,int4 --tokens 16 --preset 7b]   (--preset small: a quick check)
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureAllocator, type WeightFormat } from '@dymu/core';
import { LlmDecoder, type SequenceInput } from '@dymu/llm';
import { GraphBuilder, SessionPool } from '@dymu/onnx';
import { quantizeInt4Blocks, quantizePerChannel } from '@dymu/weights';
import { AFTER, BEFORE, benchLlm, DYMU_COUNTS, inChild, PATCHES, peakRssBytes, promptMap, randomRows } from './models.ts';

await ensureAllocator();
const { values } = parseArgs({
  options: { formats: { type: 'string', default: 'float32,int8,int4' }, tokens: { type: 'string', default: '16' }, preset: { type: 'string', default: '7b' }, child: { type: 'string' }, dir: { type: 'string' } },
});
const TOKENS = Number(values.tokens);
const N = BEFORE + PATCHES + AFTER;
const CACHE = resolve('.cache', 'bench', 'llm-cache');

interface Measured {
  loadS: number;
  peakRssGB: number;
  /** Prefill ms: full sequence, then each DyMU layout with VTU. */
  prefillMs: number[];
  decodeMsPerToken: number;
}

/** In a child process: load `dir` in `format`, prefill the four layouts, decode TOKENS tokens. */
async function measure(dir: string, format: WeightFormat): Promise<Measured> {
  const t0 = performance.now();
  const decoder = await LlmDecoder.load(dir, { weights: format, cacheDir: CACHE });
  const loadS = (performance.now() - t0) / 1000;
  const D = decoder.config.hiddenSize;
  const inputs: SequenceInput[] = [{ rows: randomRows(N, D) }, ...DYMU_COUNTS.map(([, tokens]) => ({ rows: randomRows(BEFORE + tokens + AFTER, D), map: promptMap(tokens, true) }))];
  const prefillMs: number[] = [];
  for (const input of inputs) {
    const t = performance.now();
    await decoder.forward([input]);
    prefillMs.push(performance.now() - t);
  }
  let cache = (await decoder.forward([inputs[0]])).cache;
  const token = await decoder.embed([1]);
  const t = performance.now();
  for (let i = 0; i < TOKENS; i++) cache = (await decoder.forward([{ rows: token }], cache)).cache;
  const decodeMsPerToken = (performance.now() - t) / TOKENS;
  return { loadS, peakRssGB: peakRssBytes() / 1e9, prefillMs, decodeMsPerToken };
}

if (values.child !== undefined) {
  process.stdout.write(`${JSON.stringify(await measure(values.dir!, values.child as WeightFormat))}\n`);
  process.exit(0);
}

/** Runs `measure` in a fresh process (its own peak RSS). */
function child(dir: string, format: WeightFormat): Measured {
  return inChild<Measured>(['--child', format, '--dir', dir, '--tokens', String(TOKENS)], `${format} of ${dir}`);
}

/** The checkpoint cut to its first `layers` layers: its config with num_hidden_layers changed, its shards linked. */
function firstLayers(dir: string, layers: number): string {
  const out = `${dir}-first${layers}`;
  if (existsSync(join(out, 'config.json'))) return out;
  mkdirSync(out, { recursive: true });
  for (const f of readdirSync(dir)) if (f !== 'config.json') symlinkSync(resolve(dir, f), join(out, f));
  const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
  writeFileSync(join(out, 'config.json'), JSON.stringify({ ...config, num_hidden_layers: layers }, null, 2));
  return out;
}

/** float32 of the whole model from one- and eight-layer cuts: fixed part + (layers − 1) × one layer (the difference over 7 layers, so noise is not multiplied by 31). */
function scaledFloat32(dir: string, layers: number): Measured & { layerGB: number } {
  const cut = Math.min(8, layers);
  const [one, many] = [child(firstLayers(dir, 1), 'float32'), child(firstLayers(dir, cut), 'float32')];
  const scale = (a: number, b: number) => a + ((layers - 1) * (b - a)) / (cut - 1);
  return {
    loadS: scale(one.loadS, many.loadS),
    peakRssGB: scale(one.peakRssGB, many.peakRssGB),
    prefillMs: one.prefillMs.map((a, i) => scale(a, many.prefillMs[i])),
    decodeMsPerToken: scale(one.decodeMsPerToken, many.decodeMsPerToken),
    layerGB: (many.peakRssGB - one.peakRssGB) / (cut - 1),
  };
}

/** ms of `run` (median of 5 after a warm-up). */
async function time(run: () => Promise<unknown>): Promise<number> {
  await run();
  const ms: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    await run();
    ms.push(performance.now() - t);
  }
  return ms.sort((a, b) => a - b)[2];
}

/** One 4096 → 11008 projection in each candidate kernel, at 1 row (decoding) and N rows (prefill). */
async function kernelTable(): Promise<void> {
  const [K, M] = [4096, 11008];
  const w = randomRows(M, K).map((v) => v / 64);
  const pool = new SessionPool();
  const nbits = (bits: 4 | 8): [string, () => Uint8Array] => [`int${bits} MatMulNBits (block 32, int8 compute)`, () => graph((g, x) => {
    const q = bits === 4 ? quantizeInt4Blocks(w, M, K, 32) : { data: blockCodes8(), scales: new Float32Array(M * (K / 32)).fill(1 / 1280) };
    return g.op('MatMulNBits', [x, g.initializer('w', q.data, [M, K / 32, 4 * bits]), g.initializer('s', q.scales, [M * (K / 32)])], { K, N: M, bits, block_size: 32, accuracy_level: 4 }, { domain: 'com.microsoft' })[0];
  })];
  // 8-bit MatMulNBits codes: the kernel's speed does not depend on the values
  const blockCodes8 = () => Uint8Array.from(quantizePerChannel(w, M, K).data, (c) => c + 128);
  const graphs: [string, () => Uint8Array][] = [
    ['float32 FusedMatMul', () => graph((g, x) => g.op('FusedMatMul', [x, g.initializer('w', w, [M, K])], { transB: 1 }, { domain: 'com.microsoft' })[0])],
    ['int8 DynamicQuantizeMatMul (per channel; used)', () => graph((g, x) => {
      const q = quantizePerChannel(w, M, K);
      return g.op('DynamicQuantizeMatMul', [x, g.initializer('w', q.data, [K, M]), g.initializer('s', q.scales, [M])], {}, { domain: 'com.microsoft' })[0];
    })],
    nbits(8),
    nbits(4),
  ];
  function graph(body: (g: GraphBuilder, x: ReturnType<GraphBuilder['input']>) => ReturnType<GraphBuilder['input']>): Uint8Array {
    const g = new GraphBuilder('kernel');
    g.output(body(g, g.input('x', 'float32', ['rows', K])), 'y', 'float32', ['rows', M]);
    return g.toBytes();
  }
  console.log(`## Kernels: one ${K} → ${M} projection (median of 5)\n`);
  console.log(`| kernel | 1 row, ms | 1 row, GB/s of weights | ${N} rows, ms | ${N} rows, GFLOP/s |`);
  console.log('| --- | --- | --- | --- | --- |');
  for (const [name, build] of graphs) {
    const session = await pool.get(name, build);
    const bytes = name.startsWith('float32') ? 4 : name.startsWith('int4') ? 0.5 + 4 / 32 : name.includes('NBits') ? 1 + 4 / 32 : 1 + 4 / K;
    const rowMs = await time(() => session.run({ x: { data: randomRows(1, K), dims: [1, K] } }));
    const x = randomRows(N, K);
    const prefillMs = await time(() => session.run({ x: { data: x, dims: [N, K] } }));
    console.log(`| ${name} | ${rowMs.toFixed(2)} | ${((K * M * bytes) / rowMs / 1e6).toFixed(1)} | ${prefillMs.toFixed(1)} | ${((2 * N * K * M) / prefillMs / 1e6).toFixed(0)} |`);
  }
  await pool.release();
}

const load = () => loadavg().map((x) => x.toFixed(1)).join(' ');
console.log(`host load average at start: ${load()} (${availableParallelism()} cores)\n`);
await kernelTable();

const dir = benchLlm(`${values.preset}-bf16`, { preset: values.preset, dtype: 'BF16', maxShardBytes: 5e9 });
const s = (ms: number) => (ms / 1000).toFixed(1);
console.log(`\n## LLaMA ${values.preset} decoder (BF16 checkpoint, ${dir}); prefill of ${BEFORE} + ${PATCHES} + ${AFTER} positions; ${TOKENS} decoded tokens\n`);
console.log('| weights | load cold, s | load warm, s | peak RSS, GB | prefill full, s | DyMU-low + VTU, s | DyMU-mid + VTU, s | DyMU-high + VTU, s | decode, ms/token | decode vs float32 |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
let float32Decode: number | undefined;
for (const format of values.formats.split(',') as WeightFormat[]) {
  let row: Measured;
  let cold = '—';
  let note = '';
  if (format === 'float32') {
    const scaled = scaledFloat32(dir, JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).num_hidden_layers);
    row = scaled;
    float32Decode = row.decodeMsPerToken;
    note = ` (scaled from 1- and 8-layer cuts: ${scaled.layerGB.toFixed(2)} GB per layer)`;
  } else {
    rmSync(join(CACHE, 'quantized'), { recursive: true, force: true });
    cold = child(dir, format).loadS.toFixed(1);
    row = child(dir, format);
  }
  const vs = float32Decode === undefined ? '—' : `${(float32Decode / row.decodeMsPerToken).toFixed(2)}×`;
  console.log(`| ${format}${note} | ${cold} | ${row.loadS.toFixed(1)} | ${row.peakRssGB.toFixed(2)} | ${row.prefillMs.map(s).join(' | ')} | ${row.decodeMsPerToken.toFixed(0)} | ${vs} |`);
}
console.log(`\nhost load average at end: ${load()}`);
