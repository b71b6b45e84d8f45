import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '@dymu/core';
import { anyresLayout, type EncodedImage } from '@dymu/encoders';
import { SessionPool } from '@dymu/onnx';
import { type LlmFamily, makeVlmModel } from '@dymu/weights';
import { CHAT_TEMPLATES, generate, tokenizePrompt, Vlm } from '../src/index.ts';

const IMAGE = join(import.meta.dirname, '../../../assets/images/chelsea.jpg');
const root = mkdtempSync(join(tmpdir(), 'dymu-vlm-'));
const pool = new SessionPool();
const vlms = {} as Record<LlmFamily, Vlm>;
const families: LlmFamily[] = ['llama', 'qwen2'];

beforeAll(async () => {
  for (const family of families) {
    const { dir } = makeVlmModel({ family, preset: 'tiny', seed: 2, out: join(root, family) });
    vlms[family] = await Vlm.load(dir, { pool });
  }
});
afterAll(async () => {
  await pool.release();
  rmSync(root, { recursive: true, force: true });
});

/** The encoder's output merged by a random grouping of its tokens: group means, and the source map composed with it. */
function merge(image: EncodedImage, groups: number, seed: number): EncodedImage {
  const rng = Rng.stream(seed, 'merge');
  const D = image.tokens.length / image.count;
  const of = Int32Array.from(rng.shuffle(Array.from({ length: image.count }, (_, t) => (t < groups ? t : rng.int(groups)))));
  const tokens = new Float32Array(groups * D);
  const sizes = new Float32Array(groups);
  for (let t = 0; t < image.count; t++) {
    sizes[of[t]] += image.sizes[t];
    for (let d = 0; d < D; d++) tokens[of[t] * D + d] += image.tokens[t * D + d] * image.sizes[t];
  }
  tokens.forEach((v, i) => (tokens[i] = v / sizes[Math.floor(i / D)]));
  return { ...image, tokens, count: groups, countWithClassToken: groups + 1, sizes, source: image.source.map((t) => of[t]) };
}

describe('prompt assembly', () => {
  it('writes vicuna_v1 and qwen_1_5 as LLaVA does', () => {
    expect(CHAT_TEMPLATES.vicuna_v1.prompt('What is it?', 1)).toBe(
      "A chat between a curious user and an artificial intelligence assistant. The assistant gives helpful, detailed, and polite answers to the user's questions. USER: <image>\nWhat is it? ASSISTANT:",
    );
    expect(CHAT_TEMPLATES.llava_v1.prompt('Q', 1)).toMatch(/^A chat between a curious human .* human's questions\. USER: <image>\nQ ASSISTANT:$/);
    expect(CHAT_TEMPLATES.qwen_1_5.prompt('Q', 2)).toBe('<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n<image>\n<image>\nQ<|im_end|>\n<|im_start|>assistant\n');
  });

  it('tokenizes around <image> chunk by chunk; only the first chunk keeps the BOS', () => {
    const { tokenizer } = vlms.llama;
    const chunks = tokenizePrompt(tokenizer, 'Hi USER: <image>\nWhat? ASSISTANT:');
    expect(chunks.length).toBe(2);
    expect(chunks[0][0]).toBe(tokenizer.bosId);
    expect(chunks[1]).toEqual(tokenizer.encode('\nWhat? ASSISTANT:', false));
    expect(tokenizePrompt(vlms.qwen2.tokenizer, '<|im_start|>user\n<image>\nQ')[0]).toEqual(vlms.qwen2.tokenizer.encode('<|im_start|>user\n'));
  });
});

describe.each(families)('%s VLM (generated, LLaVA layout)', (family) => {
  it('answers end to end: visual tokens spliced at <image>, N = text + patches (OneVision: AnyRes base, unpadded crops and newlines)', async () => {
    const vlm = vlms[family];
    const answer = await vlm.ask([IMAGE], 'What is in the image?', { maxNewTokens: 4 });
    const full = vlm.anyres ? anyresLayout(451, 300, vlm.anyres.spec).tokens.total : vlm.encoder.patches;
    expect(Boolean(vlm.anyres)).toBe(family === 'qwen2');
    expect(answer.visualTokens).toBe(full);
    expect(answer.fullTokens).toBe(full);
    expect(answer.visualTokensWithClass).toBe(full + (family === 'llama' ? 1 : 0));
    expect(answer.virtual).toBe(answer.unique);
    expect(answer.tokens.length).toBeGreaterThan(0);
    const cacheOff = await vlm.ask([IMAGE], 'What is in the image?', { maxNewTokens: 4, useCache: false });
    expect(cacheOff.tokens).toEqual(answer.tokens);
  });

  it('(d) greedy generation with VTU over merged tokens is deterministic and the same with the KV cache on and off', async () => {
    const vlm = vlms[family];
    const [image] = await vlm.encoder.encode([IMAGE], { pad: vlm.pad });
    const merged = merge(image, 17, 3);
    const prompt = vlm.template.prompt('Describe this picture.', 1);
    const input = await vlm.prepare(prompt, [[merged]]);
    expect(input.map.virtual - input.map.unique).toBe(image.count - 17);
    const run = (useCache: boolean) => generate(vlm.decoder, vlm.tokenizer, [input], { maxNewTokens: 10, useCache });
    const [a, b, c] = [await run(true), await run(true), await run(false)];
    expect(a.generations[0].tokens.length).toBeGreaterThan(3);
    expect(b.generations).toEqual(a.generations);
    expect(c.generations).toEqual(a.generations);
    // The ablation (merged tokens at consecutive positions) is another model input, and reads differently.
    const ablation = await vlm.prepare(prompt, [[merged]], false);
    expect(ablation.map.virtual).toBe(input.map.unique);
    const noVtu = await generate(vlm.decoder, vlm.tokenizer, [ablation], { maxNewTokens: 10 });
    expect(noVtu.generations[0].tokens).not.toEqual(a.generations[0].tokens);
  });

  it('samples with a seed: the same seed repeats, another differs', async () => {
    const vlm = vlms[family];
    const input = await vlm.prepare(vlm.template.prompt('Hi', 0), []);
    const run = (seed: number) => generate(vlm.decoder, vlm.tokenizer, [input], { maxNewTokens: 12, temperature: 1.5, topK: 50, topP: 0.95, seed, eosTokenIds: [] });
    const [a, b, c] = [await run(1), await run(1), await run(2)];
    expect(b.generations[0].tokens).toEqual(a.generations[0].tokens);
    expect(c.generations[0].tokens).not.toEqual(a.generations[0].tokens);
  });
});

describe('vision tower lookup', () => {
  it('finds a Hub id in the local Hugging Face cache (refs/main), and names config.json: mm_vision_tower when it is nowhere', async () => {
    const dir = join(root, 'hub-vlm');
    makeVlmModel({ family: 'llama', preset: 'tiny', seed: 2, out: dir });
    const config = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ ...config, mm_vision_tower: 'openai/clip-tiny' }));
    const hub = join(root, 'hub');
    const repo = join(hub, 'models--openai--clip-tiny');
    mkdirSync(join(repo, 'snapshots'), { recursive: true });
    mkdirSync(join(repo, 'refs'));
    writeFileSync(join(repo, 'refs', 'main'), 'abc123\n');
    const saved = process.env.HF_HUB_CACHE;
    process.env.HF_HUB_CACHE = hub;
    try {
      await expect(Vlm.load(dir, { pool })).rejects.toThrow(`${join(dir, 'config.json')}: mm_vision_tower: "openai/clip-tiny" is neither a directory`);
      renameSync(join(dir, 'vision_tower'), join(repo, 'snapshots', 'abc123'));
      const vlm = await Vlm.load(dir, { pool });
      expect(vlm.encoder.dir).toBe(join(repo, 'snapshots', 'abc123'));
    } finally {
      if (saved === undefined) delete process.env.HF_HUB_CACHE;
      else process.env.HF_HUB_CACHE = saved;
    }
  });
});

describe('stop strings', () => {
  it('end the answer and are cut from it', async () => {
    const vlm = vlms.qwen2;
    const input = await vlm.prepare(vlm.template.prompt('Hi', 0), []);
    const free = await generate(vlm.decoder, vlm.tokenizer, [input], { maxNewTokens: 8, eosTokenIds: [] });
    const text = vlm.tokenizer.decode(free.generations[0].tokens);
    const stop = text.slice(2, 4);
    const stopped = await generate(vlm.decoder, vlm.tokenizer, [input], { maxNewTokens: 8, eosTokenIds: [], stop: [stop] });
    expect(stopped.generations[0].finish).toBe('stop');
    expect(stopped.generations[0].text).toBe(text.slice(0, text.indexOf(stop)).trim());
  });
});
