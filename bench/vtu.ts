/**
 * VTU prefill cost, measured in one run: the LLM prefill of a LLaVA-1.5-like prompt (35 text
 * tokens, 576 image positions, 20 text tokens) with the full visual sequence, with merged tokens
 * as ordinary tokens (no VTU), and with merged tokens under VTU, at DyMU-low / -mid / -high token
 * counts (89 / 195 / 394). On a generated 7B-shaped decoder layer (hidden 4096, 32 heads,
 * intermediate 11008) and a small full model (LLaMA "small": 8 layers, hidden 512). Then the
 * attention alone at 7B shapes, next to the paper's Table-1 score costs.
 *
 *   npx tsx bench/vtu.ts [--runs 5]
 */
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { ensureAllocator } from '@dymu/core';
import { LlmDecoder, packBatch, type SequenceInput } from '@dymu/llm';
import { GraphBuilder, SessionPool } from '@dymu/onnx';
import { fullScoreMacs, unmergeMap, unmergedAttention, vtuScoreMacs, type UnmergeMap } from '@dymu/vtu';
import { AFTER, BEFORE, benchLlm, DYMU_COUNTS as COUNTS, PATCHES, promptMap, randomRows } from './models.ts';

await ensureAllocator();

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const RUNS = Number(values.runs);

/** Generated LLaMA decoders, written once under .cache/bench. */
const model = (preset: string, layers?: number) => benchLlm(`${preset}${layers === undefined ? '' : `-${layers}layer`}`, { preset, layers });

/**
 * Wall times of `tasks` over `RUNS` rounds, after one warm-up round. A round runs every task once,
 * so the machine's drift (other processes on a shared host) hits them alike; a ratio is taken per
 * round, then the median over rounds.
 */
async function rounds(tasks: (() => Promise<unknown>)[]): Promise<{ ms: number[]; ratio: (a: number, b: number) => number }> {
  for (const task of tasks) await task();
  const ms = Array.from({ length: RUNS }, () => tasks.map(() => 0));
  for (const round of ms) {
    for (const [i, task] of tasks.entries()) {
      const t0 = performance.now();
      await task();
      round[i] = performance.now() - t0;
    }
  }
  return { ms: tasks.map((_, i) => median(ms.map((r) => r[i]))), ratio: (a, b) => median(ms.map((r) => r[a] / r[b])) };
}

const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const f0 = (x: number) => x.toFixed(0);
const f2 = (x: number) => x.toFixed(2);

async function prefillTable(title: string, dir: string): Promise<void> {
  const decoder = await LlmDecoder.load(dir);
  const D = decoder.config.hiddenSize;
  const prefill = (input: SequenceInput) => () => decoder.forward([input]);
  const N = BEFORE + PATCHES + AFTER;
  const full = prefill({ rows: randomRows(N, D) });
  console.log(`\n## Prefill, ${title} (${decoder.config.numLayers} layers, hidden ${D}, ${decoder.config.numHeads} heads), median of ${RUNS} interleaved rounds (ratios: median of per-round ratios)`);
  console.log(`full visual sequence: N = ${N} tokens\n`);
  console.log('| variant | merged | unique rows | full ms | no VTU ms | VTU ms | VTU / no VTU | VTU / full | no VTU / full |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const [name, tokens] of COUNTS) {
    const rows = randomRows(BEFORE + tokens + AFTER, D);
    const { ms: [f, noVtu, vtu], ratio } = await rounds([full, prefill({ rows, map: promptMap(tokens, false) }), prefill({ rows, map: promptMap(tokens, true) })]);
    console.log(`| ${name} | ${tokens} | ${BEFORE + tokens + AFTER} | ${f0(f)} | ${f0(noVtu)} | ${f0(vtu)} | ${f2(ratio(2, 1))} | ${f2(ratio(2, 0))} | ${f2(ratio(1, 0))} |`);
  }
  await decoder.pool.release();
}

/** VTU's attention graph piece alone at 7B shapes (q, k, v given): gather, RoPE, causal attention, group mean. */
async function attentionTable(): Promise<void> {
  const [H, dh] = [32, 128];
  const pool = new SessionPool();
  const session = await pool.get('attention', () => {
    const g = new GraphBuilder('attention');
    const rows = (name: string) => g.input(name, 'float32', [1, 'u', H * dh]);
    const virtual = (name: string, type: 'int64' | 'float32') => g.input(name, type, [1, 'n']);
    const out = unmergedAttention(g, {
      q: rows('q'), k: rows('k'), v: rows('v'), map: virtual('map', 'int64'), positions: virtual('positions', 'int64'), weights: virtual('weights', 'float32'),
      keyBias: virtual('key_bias', 'float32'), pastKey: g.input('past_key', 'float32', [1, H, 0, dh]), pastValue: g.input('past_value', 'float32', [1, H, 0, dh]),
    }, { numHeads: H, numKvHeads: H, headDim: dh, ropeTheta: 10000 }, 'attention');
    g.output(out.out, 'out', 'float32', [1, 'u', H * dh]);
    return g.toBytes();
  });
  const run = (m: UnmergeMap) => {
    const p = packBatch([m], [0]);
    const q = randomRows(m.unique, H * dh);
    const empty = { data: new Float32Array(0), dims: [1, H, 0, dh] };
    const n = [1, m.virtual];
    return () => session.run({
      q: { data: q, dims: [1, m.unique, H * dh] }, k: { data: q, dims: [1, m.unique, H * dh] }, v: { data: q, dims: [1, m.unique, H * dh] },
      map: { data: p.map, dims: n }, positions: { data: p.positions, dims: n }, weights: { data: p.weights, dims: n }, key_bias: { data: p.keyBias, dims: n },
      past_key: empty, past_value: empty,
    });
  };
  const M = (macs: number) => (macs / 1e6).toFixed(1);
  const full = run(unmergeMap([{ kind: 'text', length: BEFORE + PATCHES + AFTER }]));
  console.log(`\n## Attention alone, 32 heads × 128, median of ${RUNS} interleaved rounds`);
  console.log('Table 1 counts score multiply-adds over the 576 visual tokens: full H·N²·d, VTU form (b) 2·H·N_un²·d. Form (a), as run here, computes the full scores over all N virtual rows.\n');
  console.log('| variant | merged | Table 1 full, M | Table 1 VTU (b), M | full ms | no VTU ms | VTU (a) ms |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  for (const [name, tokens] of COUNTS) {
    const { ms: [f, noVtu, vtu] } = await rounds([full, run(promptMap(tokens, false)), run(promptMap(tokens, true))]);
    console.log(`| ${name} | ${tokens} | ${M(fullScoreMacs(PATCHES))} | ${M(vtuScoreMacs(tokens))} | ${f0(f)} | ${f0(noVtu)} | ${f0(vtu)} |`);
  }
  await pool.release();
}

const load = () => loadavg().map((x) => x.toFixed(1)).join(' ');
console.log(`host load average at start: ${load()} (${availableParallelism()} cores); other processes make wall times noisy`);
await prefillTable('7B-shaped single layer', model('7b', 1));
await prefillTable('LLaMA small', model('small'));
await attentionTable();
console.log(`\nhost load average at end: ${load()}`);
