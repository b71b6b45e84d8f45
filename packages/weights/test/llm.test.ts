import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { numel } from '@dymu/core';
import {
  LlmWeights, makeLlmModel, makeVlmModel, parseLlavaConfig, parseLlmConfig, planLlmModel, projectorWeights, readLlavaConfig, readLlmConfig,
  readVitConfig, WeightStore,
} from '../src/index.ts';

const root = mkdtempSync(join(tmpdir(), 'dymu-llm-weights-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The fields of liuhaotian/llava-v1.5-7b's config.json that matter here. */
const LLAVA_15_7B = {
  architectures: ['LlavaLlamaForCausalLM'], model_type: 'llava', bos_token_id: 1, eos_token_id: 2, pad_token_id: 0, hidden_act: 'silu', hidden_size: 4096,
  intermediate_size: 11008, max_position_embeddings: 4096, num_attention_heads: 32, num_hidden_layers: 32, num_key_value_heads: 32, pretraining_tp: 1,
  rms_norm_eps: 1e-5, rope_scaling: null, tie_word_embeddings: false, torch_dtype: 'float16', use_cache: true, vocab_size: 32000,
  image_aspect_ratio: 'pad', mm_hidden_size: 1024, mm_projector_type: 'mlp2x_gelu', mm_use_im_patch_token: false, mm_use_im_start_end: false,
  mm_vision_select_feature: 'patch', mm_vision_select_layer: -2, mm_vision_tower: 'openai/clip-vit-large-patch14-336',
};

/** Qwen/Qwen2.5-0.5B's config.json. */
const QWEN_05B = {
  architectures: ['Qwen2ForCausalLM'], attention_dropout: 0.0, bos_token_id: 151643, eos_token_id: 151643, hidden_act: 'silu', hidden_size: 896,
  initializer_range: 0.02, intermediate_size: 4864, max_position_embeddings: 32768, max_window_layers: 24, model_type: 'qwen2', num_attention_heads: 14,
  num_hidden_layers: 24, num_key_value_heads: 2, rms_norm_eps: 1e-6, rope_theta: 1000000.0, sliding_window: 32768, tie_word_embeddings: true,
  torch_dtype: 'bfloat16', use_cache: true, use_sliding_window: false, vocab_size: 151936,
};

describe('LLM and LLaVA configs', () => {
  it('read LLaVA-1.5-7B: Vicuna decoder, mlp2x_gelu projector from CLIP width 1024, penultimate layer, patches only, pad', () => {
    const c = parseLlavaConfig(LLAVA_15_7B, '/m/config.json', { eos_token_id: 2 });
    expect(c).toMatchObject({
      projector: { type: 'mlp2x_gelu', depth: 2, inFeatures: 1024, outFeatures: 4096 },
      visionTower: 'openai/clip-vit-large-patch14-336', selectLayer: -2, selectFeature: 'patch', imageAspectRatio: 'pad',
    });
    expect(c.llm).toMatchObject({
      family: 'llama', numHeads: 32, numKvHeads: 32, headDim: 128, ropeTheta: 10000, rmsNormEps: 1e-5, qkvBias: false, oBias: false,
      tieWordEmbeddings: false, bosTokenId: 1, eosTokenIds: [2],
    });
  });

  it('read Qwen2: grouped KV heads, q/k/v biases, rope_theta, tied embeddings; LlavaQwen checkpoints are Qwen2', () => {
    expect(parseLlmConfig(QWEN_05B, '/q/config.json', { eos_token_id: [151645, 151643] })).toMatchObject({
      family: 'qwen2', numHeads: 14, numKvHeads: 2, headDim: 64, ropeTheta: 1e6, qkvBias: true, oBias: false, tieWordEmbeddings: true, eosTokenIds: [151643, 151645],
    });
    const ov = { ...QWEN_05B, architectures: ['LlavaQwenForCausalLM'], model_type: 'llava', mm_hidden_size: 1152, mm_projector_type: 'mlp2x_gelu', mm_vision_tower: 'google/siglip-so400m-patch14-384' };
    expect(parseLlavaConfig(ov, '/ov/config.json').llm.family).toBe('qwen2');
  });

  it('name the file and field of what they cannot run', () => {
    const bad = (patch: object) => () => parseLlavaConfig({ ...LLAVA_15_7B, ...patch }, '/m/config.json');
    expect(bad({ rope_scaling: { type: 'linear', factor: 2 } })).toThrow(/^\/m\/config\.json: rope_scaling: RoPE scaling is not supported/);
    expect(bad({ hidden_act: 'gelu' })).toThrow(/config\.json: hidden_act: only "silu"/);
    expect(bad({ num_key_value_heads: 5 })).toThrow(/num_key_value_heads: 32 attention heads are not a multiple of 5 KV heads/);
    expect(bad({ model_type: 'gpt2' })).toThrow(/model_type: unsupported model type "gpt2"/);
    expect(bad({ mm_projector_type: 'qformer' })).toThrow(/mm_projector_type: unsupported projector type "qformer"/);
    expect(bad({ mm_hidden_size: undefined })).toThrow(/mm_hidden_size: expected a positive integer/);
    expect(bad({ mm_use_im_start_end: true })).toThrow(/mm_use_im_start_end/);
    expect(() => parseLlmConfig({ ...QWEN_05B, use_sliding_window: true }, '/q/config.json')).toThrow(/use_sliding_window: sliding-window attention is not supported/);
  });
});

describe('makeLlmModel / makeVlmModel', () => {
  const files = (dir: string) => Object.fromEntries(readdirSync(dir).filter((f) => !f.includes('vision')).sort().map((f) => [f, readFileSync(join(dir, f)).toString('base64')]));

  it('write a deterministic LLaMA / Qwen2 directory in the Hub layout, with a tokenizer', () => {
    const a = makeLlmModel({ family: 'qwen2', preset: 'tiny', seed: 0, out: join(root, 'a') });
    const b = makeLlmModel({ family: 'qwen2', preset: 'tiny', seed: 0, out: join(root, 'b') });
    expect(Object.keys(files(a.dir))).toEqual(['config.json', 'generation_config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']);
    expect(files(b.dir)).toEqual(files(a.dir));
    expect(readLlmConfig(a.dir)).toEqual(a.config);
    const store = WeightStore.open(a.dir);
    new LlmWeights(store, a.config).checkAll();
    const shapes = Object.fromEntries(store.names().filter((n) => !n.includes('layers.1.')).map((n) => [n, store.info(n).shape]));
    expect(shapes).toEqual({
      'model.embed_tokens.weight': [a.config.vocabSize, 64],
      'model.layers.0.input_layernorm.weight': [64],
      'model.layers.0.self_attn.q_proj.weight': [64, 64], 'model.layers.0.self_attn.q_proj.bias': [64],
      'model.layers.0.self_attn.k_proj.weight': [32, 64], 'model.layers.0.self_attn.k_proj.bias': [32],
      'model.layers.0.self_attn.v_proj.weight': [32, 64], 'model.layers.0.self_attn.v_proj.bias': [32],
      'model.layers.0.self_attn.o_proj.weight': [64, 64],
      'model.layers.0.post_attention_layernorm.weight': [64],
      'model.layers.0.mlp.gate_proj.weight': [176, 64], 'model.layers.0.mlp.up_proj.weight': [176, 64], 'model.layers.0.mlp.down_proj.weight': [64, 176],
      'model.norm.weight': [64],
      'lm_head.weight': [a.config.vocabSize, 64],
    });
    const llama = makeLlmModel({ family: 'llama', preset: 'tiny', seed: 0, out: join(root, 'llama'), maxShardBytes: 50_000 });
    expect(existsSync(join(llama.dir, 'model.safetensors.index.json'))).toBe(true);
    expect(WeightStore.open(llama.dir).has('model.layers.0.self_attn.q_proj.bias')).toBe(false);
    expect(llama.config).toMatchObject({ family: 'llama', numKvHeads: 4, bosTokenId: 1, eosTokenIds: [2] });
  });

  it('plan the published parameter counts: LLaMA-2 / Vicuna-7B 6.74B, Qwen2-0.5B 494M (tied)', () => {
    const params = (family: 'llama' | 'qwen2', preset: string) => planLlmModel({ family, preset, seed: 0, out: '/x' }).tensors.reduce((n, t) => n + numel(t.shape), 0);
    expect(params('llama', '7b')).toBe(6_738_415_616);
    expect(params('qwen2', '0.5b')).toBe(494_032_768);
    expect(planLlmModel({ family: 'llama', preset: '7b', seed: 0, out: '/x', layers: 1 }).config.numLayers).toBe(1);
  });

  it('write a LLaVA checkpoint: decoder + model.mm_projector.{0,2} + mm_* fields, vision tower beside it', () => {
    const { dir, config, vision } = makeVlmModel({ family: 'llama', preset: 'tiny', seed: 0, out: join(root, 'vlm') });
    expect(readLlavaConfig(dir)).toEqual(config);
    expect(config).toMatchObject({ visionTower: 'vision_tower', projector: { type: 'mlp2x_gelu', depth: 2, inFeatures: vision.hiddenSize, outFeatures: 64 }, imageAspectRatio: 'pad' });
    expect(readVitConfig(join(dir, 'vision_tower'))).toMatchObject({ arch: 'clip', hiddenSize: vision.hiddenSize });
    const [fc1, fc2] = projectorWeights(WeightStore.open(dir), config);
    expect([fc1.outFeatures, fc1.inFeatures, fc1.bias?.length, fc2.inFeatures]).toEqual([64, vision.hiddenSize, 64, 64]);
    const ov = makeVlmModel({ family: 'qwen2', preset: 'tiny', seed: 0, out: join(root, 'ov') });
    expect([ov.config.llm.family, ov.vision.arch]).toEqual(['qwen2', 'siglip']);
  });
});
