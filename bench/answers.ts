/**
 * Batched answering: answers/s against the batch size (questions per `Vlm.answer` call, the
 * benchmark task's `execution.batch`) on a generated LLaVA-style VLM (tiny CLIP tower, LLaMA
 * "small": 8 layers, hidden 512, vocabulary 32000), DToMe merging so every question has its own
 * layout, VTU on. Every answer is exactly `--tokens` long (no EOS), so each batch size does the
 * same work. Batch sizes run in turn within a round (so load drifts hit them alike); answers/s is
 * the median over rounds, the ratio to batch 1 the median of the per-round ratios.
 *
 *   npm run bench:answers [-- --questions 16 --tokens 16 --runs 3 --preset small]
 */
import { existsSync, readdirSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureAllocator } from '@dymu/core';
import { Vlm, type Question } from '@dymu/llm';
import { createPolicy } from '@dymu/merging';
import { makeVlmModel } from '@dymu/weights';

await ensureAllocator(); // the allocator settings the dymu launcher runs with (docs/benchmarks.md)
const { values } = parseArgs({
  options: { questions: { type: 'string', default: '16' }, tokens: { type: 'string', default: '16' }, runs: { type: 'string', default: '3' }, preset: { type: 'string', default: 'small' } },
});
const [QUESTIONS, TOKENS, RUNS] = [Number(values.questions), Number(values.tokens), Number(values.runs)];
const BATCHES = [1, 2, 4, 8];

const dir = join('.cache', 'bench', `vlm-llama-${values.preset}`);
if (!existsSync(join(dir, 'config.json'))) {
  process.stderr.write(`generating a llama ${values.preset} VLM into ${dir} …\n`);
  makeVlmModel({ family: 'llama', preset: values.preset!, seed: 0, out: dir });
}
const vlm = await Vlm.load(dir);
const shape = { ...vlm.encoder.config, patches: vlm.encoder.patches };
const thresholds = Array.from({ length: shape.numLayers }, (_, i) => (i === shape.numLayers - 1 ? null : 0.8));
const policy = createPolicy('dtome', { thresholds }, { encoder: shape });

const IMAGES = join(import.meta.dirname, '..', 'assets', 'images');
const images = readdirSync(IMAGES).filter((f) => f.endsWith('.jpg')).sort().map((f) => join(IMAGES, f));
const PROMPTS = ['What is this?', 'Describe the image in detail.', 'Is there an animal in the picture? Answer yes or no.', 'What colours dominate, and where are the brightest parts of the image?'];
const questions: Question[] = Array.from({ length: QUESTIONS }, (_, i) => ({ images: [images[i % images.length]], question: PROMPTS[i % PROMPTS.length] }));

/** Seconds to answer every question, `size` at a time. */
async function answerAll(size: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < questions.length; i += size) await vlm.answer(questions.slice(i, i + size), { policy, maxNewTokens: TOKENS, eosTokenIds: [] });
  return (performance.now() - t0) / 1000;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const load = () => loadavg().map((x) => x.toFixed(1)).join(' ');
const { numLayers, hiddenSize, vocabSize } = vlm.decoder.config;
console.log(`host load average at start: ${load()} (${availableParallelism()} cores); other processes make wall times noisy`);
console.log(`\n## Answers/s, llama ${values.preset} (${numLayers} layers, hidden ${hiddenSize}, vocabulary ${vocabSize}) + tiny CLIP, DToMe + VTU`);
console.log(`${QUESTIONS} questions (${images.length} images, prompts of ${PROMPTS.length} lengths), ${TOKENS} new tokens each, median of ${RUNS} rounds after a warm-up\n`);
for (const size of BATCHES) await answerAll(size);
const seconds = Array.from({ length: RUNS }, () => BATCHES.map(() => 0));
for (const round of seconds) for (const [i, size] of BATCHES.entries()) round[i] = await answerAll(size);
console.log('| batch | answers/s | ms/answer | vs batch 1 |');
console.log('| --- | --- | --- | --- |');
for (const [i, size] of BATCHES.entries()) {
  const s = median(seconds.map((r) => r[i]));
  console.log(`| ${size} | ${(QUESTIONS / s).toFixed(2)} | ${((1000 * s) / QUESTIONS).toFixed(1)} | ${median(seconds.map((r) => r[0] / r[i])).toFixed(2)}× |`);
}
console.log(`\nhost load average at end: ${load()}`);
await vlm.decoder.pool.release();
