import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxAbsDiff, Rng } from '@dymu/core';
import { SessionPool } from '@dymu/onnx';
import { appendText, groups, unmergeMap, type UnmergeMap } from '@dymu/vtu';
import { type LlmFamily, LlmWeights, makeLlmModel, readLlmConfig, WeightStore } from '@dymu/weights';
import { decoderLayerGraph, LlmDecoder, packBatch, TextTokenizer } from '../src/index.ts';
import { referenceLogits } from './reference.ts';

const TOL = 1e-4;
const root = mkdtempSync(join(tmpdir(), 'dymu-llm-'));
const pool = new SessionPool();
const models = {} as Record<LlmFamily, { dir: string; decoder: LlmDecoder; weights: LlmWeights; tokenizer: TextTokenizer }>;
const families: LlmFamily[] = ['llama', 'qwen2'];

beforeAll(async () => {
  for (const family of families) {
    const { dir } = makeLlmModel({ family, preset: 'tiny', seed: 1, out: join(root, family) });
    models[family] = {
      dir,
      decoder: await LlmDecoder.load(dir, { pool }),
      weights: new LlmWeights(WeightStore.open(dir), readLlmConfig(dir)),
      tokenizer: TextTokenizer.load(dir),
    };
  }
});
afterAll(async () => {
  await pool.release();
  rmSync(root, { recursive: true, force: true });
});

const rng = Rng.stream(0, 'llm-decoder-test');
const D = 64;

/** Unique rows of `text before` + image tokens + `text after`: token embeddings and random image rows. */
async function inputs(family: LlmFamily, before: string, tokens: number, after: string): Promise<{ rows: Float32Array; before: number; after: number }> {
  const { decoder, tokenizer } = models[family];
  const a = tokenizer.encode(before);
  const b = tokenizer.encode(after, false);
  const image = Float32Array.from({ length: tokens * D }, () => rng.normal());
  const [ea, eb] = [await decoder.embed(a), await decoder.embed(b)];
  const rows = new Float32Array(ea.length + image.length + eb.length);
  rows.set(ea);
  rows.set(image, ea.length);
  rows.set(eb, ea.length + image.length);
  return { rows, before: a.length, after: b.length };
}

/** A random source map of `patches` patches onto `tokens` tokens, every token used. */
function randomSource(patches: number, tokens: number): Int32Array {
  return Int32Array.from(rng.shuffle(Array.from({ length: patches }, (_, p) => (p < tokens ? p : rng.int(tokens)))));
}

async function allLogits(decoder: LlmDecoder, rows: Float32Array, map?: UnmergeMap) {
  const result = await decoder.forward([{ rows, map }]);
  return { logits: await decoder.logits(result.hidden, result.unique), cache: result.cache };
}

describe.each(families)('%s decoder', (family) => {
  it('matches a naive float64 decoder (RMSNorm, rotate-half RoPE, GQA, SwiGLU); the cache holds N positions', async () => {
    const { decoder, weights, tokenizer } = models[family];
    const ids = tokenizer.encode('What is in the image? A cat, and there is a picture of it.');
    const rows = await decoder.embed(ids);
    const { logits, cache } = await allLogits(decoder, rows);
    expect(maxAbsDiff(logits, referenceLogits(weights, rows, unmergeMap([{ kind: 'text', length: ids.length }])))).toBeLessThan(TOL);
    expect(cache.length).toBe(ids.length);
    expect(cache.keys[0].length).toBe(decoder.config.numKvHeads * ids.length * decoder.config.headDim);
  });

  it('decodes with the KV cache exactly as a full pass, in a left-padded batch of different lengths', async () => {
    const { decoder, tokenizer } = models[family];
    const prompts = [tokenizer.encode('Describe this picture in detail.'), tokenizer.encode('What is')];
    const next = [[40, 41, 42], [7, 8, 9]];
    let result = await decoder.forward(await Promise.all(prompts.map(async (ids) => ({ rows: await decoder.embed(ids) }))));
    expect(result.cache.length).toBe(Math.max(...prompts.map((p) => p.length)));
    for (let step = 0; step <= next[0].length; step++) {
      const batched = await decoder.nextLogits(result);
      for (const [b, ids] of prompts.entries()) {
        const full = [...ids, ...next[b].slice(0, step)];
        const alone = await decoder.forward([{ rows: await decoder.embed(full) }]);
        const V = decoder.config.vocabSize;
        expect(maxAbsDiff(batched.subarray(b * V, (b + 1) * V), await decoder.nextLogits(alone))).toBeLessThan(TOL);
      }
      if (step === next[0].length) break;
      const embedded = await decoder.embed(next.map((n) => n[step]));
      result = await decoder.forward([0, 1].map((b) => ({ rows: embedded.subarray(b * D, (b + 1) * D) })), result.cache);
      expect([...result.cache.next]).toEqual(prompts.map((p) => p.length + step + 1));
    }
  });

  it('VTU matches the naive expand → RoPE attention at virtual positions → group mean, for random merge maps with text before and after', async () => {
    const { decoder, weights } = models[family];
    for (const [patches, tokens] of [[30, 7], [36, 20]]) {
      const x = await inputs(family, 'USER: look', tokens, '\nWhat is this? ASSISTANT:');
      const map = unmergeMap([{ kind: 'text', length: x.before }, { kind: 'image', tokens, source: randomSource(patches, tokens) }, { kind: 'text', length: x.after }]);
      const { logits, cache } = await allLogits(decoder, x.rows, map);
      expect(maxAbsDiff(logits, referenceLogits(weights, x.rows, map))).toBeLessThan(TOL);
      expect(cache.length).toBe(map.virtual);
      // Decoding continues at position N: one cached step equals the naive pass over the prompt plus that token.
      const token = await decoder.embed([100]);
      const step = await decoder.forward([{ rows: token }], cache);
      const extended = new Float32Array([...x.rows, ...token]);
      const V = decoder.config.vocabSize;
      const ref = referenceLogits(weights, extended, appendText(map, 1)).subarray(map.unique * V);
      expect(maxAbsDiff(await decoder.nextLogits(step), ref)).toBeLessThan(TOL);
    }
  });

  it('(a) with every group of size 1, VTU gives the plain model\'s logits, whatever the token order', async () => {
    const { decoder } = models[family];
    const tokens = 25;
    const x = await inputs(family, 'Look:', tokens, ' what is it?');
    const source = randomSource(tokens, tokens); // a permutation: patch p is held by token source[p]
    const map = unmergeMap([{ kind: 'text', length: x.before }, { kind: 'image', tokens, source }, { kind: 'text', length: x.after }]);
    const raster = new Float32Array(x.rows.length); // the plain model sees the patches in raster order
    map.map.forEach((u, n) => raster.set(x.rows.subarray(u * D, (u + 1) * D), n * D));
    const [vtu, plain] = [await allLogits(decoder, x.rows, map), await allLogits(decoder, raster)];
    const V = decoder.config.vocabSize;
    const reordered = new Float32Array(vtu.logits.length);
    map.map.forEach((u, n) => reordered.set(vtu.logits.subarray(u * V, (u + 1) * V), n * V));
    expect(maxAbsDiff(reordered, plain.logits)).toBeLessThan(TOL);
  });

  it('(c) when merged tokens are exact duplicates, layer 0\'s attention output per group is the full model\'s group mean', async () => {
    const { decoder, weights } = models[family];
    const tokens = 9;
    const x = await inputs(family, 'Hi', tokens, ' and?');
    const map = unmergeMap([{ kind: 'text', length: x.before }, { kind: 'image', tokens, source: randomSource(32, tokens) }, { kind: 'text', length: x.after }]);
    const full = new Float32Array(map.virtual * D); // each patch a copy of the token that holds it
    map.map.forEach((u, n) => full.set(x.rows.subarray(u * D, (u + 1) * D), n * D));
    const layer0 = await pool.get(`${models[family].dir}/layer0+attention`, () => decoderLayerGraph(decoder.config, weights.layer(0), 0, { attentionOutput: true }));
    const run = async (rows: Float32Array, m: UnmergeMap) => {
      const p = packBatch([m], [0]);
      const { numKvHeads: Hkv, headDim: dh } = decoder.config;
      const empty = { data: new Float32Array(0), dims: [1, Hkv, 0, dh] };
      return layer0.run({
        hidden: { data: rows, dims: [1, m.unique, D] }, map: { data: p.map, dims: [1, m.virtual] }, positions: { data: p.positions, dims: [1, m.virtual] },
        group_weight: { data: p.weights, dims: [1, m.virtual] }, key_bias: { data: p.keyBias, dims: [1, m.virtual] }, past_key: empty, past_value: empty,
      });
    };
    const [vtu, plain] = [await run(x.rows, map), await run(full, unmergeMap([{ kind: 'text', length: map.virtual }]))];
    const { offsets, positions } = groups(map);
    const mean = new Float64Array(map.unique * D);
    const fullAttention = plain.attention.data as Float32Array;
    for (let u = 0; u < map.unique; u++) {
      for (let i = offsets[u]; i < offsets[u + 1]; i++) {
        for (let d = 0; d < D; d++) mean[u * D + d] += fullAttention[positions[i] * D + d] / (offsets[u + 1] - offsets[u]);
      }
    }
    expect(maxAbsDiff(vtu.attention.data as Float32Array, mean)).toBeLessThan(1e-5);
    // Singleton rows (the text) leave layer 0 exactly as in the full model.
    const last = x.after;
    const [vtuOut, plainOut] = [vtu.hidden_out.data as Float32Array, plain.hidden_out.data as Float32Array];
    expect(maxAbsDiff(vtuOut.subarray((map.unique - last) * D), plainOut.subarray((map.virtual - last) * D))).toBeLessThan(1e-5);
  });
});
