import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DymuError } from '@dymu/core';
import { makeVitModel, normal, TORCH_DTYPE, type TensorSpec, visionTowerTensors, writeGeneratedWeights } from './generate.ts';
import { type VlmLayout, writeLlavaHf } from './generate-llava-hf.ts';
import { type Json, writeJson } from './json.ts';
import { type LlavaConfig, type LlmConfig, type LlmFamily, parseLlavaConfig, parseLlmConfig } from './llm-config.ts';
import type { DType } from './safetensors.ts';
import { byteLevelBpe, type TokenizerFiles } from './tokenizer-json.ts';
import { LLAVA_NEXT_TOWER_PREFIX } from './vision-tower.ts';
import { readVitConfig, type VitConfig } from './vit-config.ts';

interface LlmPresetFields {
  hidden_size: number;
  intermediate_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  num_key_value_heads: number;
  /** Omitted: the generated tokenizer's own size. */
  vocab_size?: number;
  tie_word_embeddings?: boolean;
}

const preset = (hidden_size: number, intermediate_size: number, num_hidden_layers: number, num_attention_heads: number, num_key_value_heads: number, vocab_size?: number): LlmPresetFields =>
  ({ hidden_size, intermediate_size, num_hidden_layers, num_attention_heads, num_key_value_heads, ...(vocab_size === undefined ? {} : { vocab_size }) });

/** tiny: for tests (Qwen2's has grouped KV heads); the others have the published shapes (Vicuna-7B, Qwen2-0.5B) or sit in between. */
export const LLM_PRESETS: Record<LlmFamily, Record<string, LlmPresetFields>> = {
  llama: { tiny: preset(64, 176, 2, 4, 4), small: preset(512, 1408, 8, 8, 8, 32000), '7b': preset(4096, 11008, 32, 32, 32, 32000) },
  qwen2: { tiny: preset(64, 176, 2, 4, 2), '0.5b': { ...preset(896, 4864, 24, 14, 2, 151936), tie_word_embeddings: true } },
};

export interface MakeLlmOptions {
  family: LlmFamily;
  preset: string;
  seed: number;
  out: string;
  /** Overrides the preset's layer count (e.g. one 7B-shaped layer for a benchmark). */
  layers?: number;
  dtype?: DType;
  maxShardBytes?: number;
  /** Linear weights with trained-like statistics (heavy tails, outlier input channels; see `TensorSpec`), for quantisation studies. */
  trainedLike?: boolean;
}

export interface LlmModelPlan {
  config: LlmConfig;
  /** config.json */
  hfConfig: Json;
  /** generation_config.json */
  generationConfig: Json;
  tokenizer: TokenizerFiles;
  tensors: TensorSpec[];
}

/** Words the generated tokenizer spells as single tokens: the chat templates and a few answers. */
const WORDS = [
  ' the', ' a', ' and', ' of', ' is', ' in', ' image', ' this', 'What', ' Describe', ' picture', ' chat', ' between', ' curious', ' user', ' human',
  ' an', ' artificial', ' intelligence', ' assistant', ' gives', ' helpful', ' detailed', ' polite', ' answers', "'s", ' questions', ' USER', ' ASSISTANT',
  'system', 'user', 'assistant', 'You', ' are', ' cat', ' there', ' shows',
];

const FAMILY = {
  llama: {
    architecture: 'LlamaForCausalLM', llava: 'LlavaLlamaForCausalLM', vision: 'clip-vit',
    tokenizer: { leadingSpecials: ['<unk>', '<s>', '</s>'], trailingSpecials: [], bos: '<s>', eos: '</s>' },
    fields: (ids: Record<string, number>): Json => ({
      model_type: 'llama', bos_token_id: ids['<s>'], eos_token_id: ids['</s>'], pad_token_id: ids['<unk>'], max_position_embeddings: 4096, rms_norm_eps: 1e-5,
      rope_theta: 10000, rope_scaling: null, attention_bias: false, pretraining_tp: 1, tie_word_embeddings: false,
    }),
  },
  qwen2: {
    architecture: 'Qwen2ForCausalLM', llava: 'LlavaQwenForCausalLM', vision: 'siglip-vit',
    tokenizer: { leadingSpecials: [], trailingSpecials: ['<|endoftext|>', '<|im_start|>', '<|im_end|>'], eos: '<|im_end|>' },
    fields: (ids: Record<string, number>): Json => ({
      model_type: 'qwen2', bos_token_id: ids['<|endoftext|>'], eos_token_id: ids['<|im_end|>'], max_position_embeddings: 32768, rms_norm_eps: 1e-6,
      rope_theta: 1000000, sliding_window: 32768, use_sliding_window: false, attention_dropout: 0, tie_word_embeddings: false,
    }),
  },
} as const;

/** Everything makeLlmModel writes, except the weight values. */
export function planLlmModel(opts: MakeLlmOptions, extra: Json = {}): LlmModelPlan {
  const presets = LLM_PRESETS[opts.family];
  if (!presets) throw new DymuError(`unknown LLM family ${JSON.stringify(opts.family)} (expected ${Object.keys(LLM_PRESETS).join(' or ')})`);
  if (!Object.hasOwn(presets, opts.preset)) throw new DymuError(`unknown ${opts.family} preset ${JSON.stringify(opts.preset)} (expected ${Object.keys(presets).join(', ')})`);
  const family = FAMILY[opts.family];
  const shape = presets[opts.preset];
  const tokenizer = byteLevelBpe({ words: WORDS, ...family.tokenizer, vocabSize: shape.vocab_size });
  const hfConfig: Json = {
    architectures: [family.architecture],
    ...family.fields(tokenizer.ids),
    ...shape,
    ...(opts.layers === undefined ? {} : { num_hidden_layers: opts.layers }),
    vocab_size: tokenizer.size,
    hidden_act: 'silu',
    initializer_range: 0.02,
    use_cache: true,
    torch_dtype: TORCH_DTYPE[opts.dtype ?? 'F32'],
    transformers_version: '4.47.1',
    ...extra,
  };
  const generationConfig: Json = { bos_token_id: hfConfig.bos_token_id, eos_token_id: hfConfig.eos_token_id, transformers_version: '4.47.1' };
  const config = parseLlmConfig(hfConfig, join(opts.out, 'config.json'), generationConfig);
  return { config, hfConfig, generationConfig, tokenizer, tensors: decoderTensors(config, opts.trainedLike ?? false) };
}

/**
 * Writes a LlamaForCausalLM / Qwen2ForCausalLM directory in the Hub layout (config.json,
 * generation_config.json, model.safetensors or shards, tokenizer.json, tokenizer_config.json)
 * with deterministic weights: tensor `name` is drawn from Rng.stream(seed, name).
 */
export function makeLlmModel(opts: MakeLlmOptions): { dir: string; config: LlmConfig } {
  const plan = planLlmModel(opts);
  writeLlm(opts, plan, plan.tensors);
  return { dir: opts.out, config: plan.config };
}

export interface MakeVlmOptions extends Omit<MakeLlmOptions, 'layers'> {
  /** 'original' (default), or one checkpoint as llava-hf publishes it ('llava-hf') or transformers ≥ 4.52 saves it: see writeLlavaHf. */
  layout?: VlmLayout;
  /**
   * The checkpoint also holds its own fine-tuned tower (values other than `vision_tower/`'s), as
   * LLaVA-NeXT saves OneVision: `model.vision_tower.vision_tower.vision_model.…`, SigLIP without
   * its last block and its head (SigLipVisionTower deletes both). llava-hf layouts take it from there.
   */
  fineTunedTower?: boolean;
}

/**
 * OneVision's AnyRes fields as lmms-lab's checkpoints write them, with a pinpoint list for the tiny
 * tower's 64-pixel crops: up to 3×1 / 2×2 crops, and 4×4 (16 crops, more than anyres_max_9 keeps, so
 * its map is shrunk) for large images.
 */
const ONEVISION_ANYRES: Json = {
  image_aspect_ratio: 'anyres_max_9',
  image_grid_pinpoints: [[64, 64], [64, 128], [128, 64], [128, 128], [64, 192], [192, 64], [256, 256]],
  mm_patch_merge_type: 'spatial_unpad',
};

/**
 * Writes a LLaVA checkpoint directory as published (LlavaLlamaForCausalLM for `llama`, LLaVA-OneVision's
 * LlavaQwenForCausalLM for `qwen2`): the language model plus `model.mm_projector.{0,2}` (mlp2x_gelu)
 * in one safetensors (OneVision also `model.image_newline`), and the mm_* fields in config.json
 * (OneVision: AnyRes, ONEVISION_ANYRES). The vision tower (tiny CLIP for llama, tiny
 * SigLIP for qwen2) is generated into `vision_tower/`, which `mm_vision_tower` names relative to the directory.
 */
export function makeVlmModel(opts: MakeVlmOptions): { dir: string; config: LlavaConfig; vision: VitConfig } {
  if (opts.layout !== undefined && opts.layout !== 'original') return makeLlavaHf({ ...opts, layout: opts.layout });
  const family = FAMILY[opts.family];
  const vision = makeVitModel({ arch: family.vision, preset: 'tiny', seed: opts.seed, out: join(opts.out, 'vision_tower'), dtype: opts.dtype }).config;
  const llava: Json = {
    architectures: [family.llava],
    model_type: 'llava',
    mm_vision_tower: 'vision_tower',
    mm_hidden_size: vision.hiddenSize,
    mm_projector_type: 'mlp2x_gelu',
    mm_vision_select_layer: -2,
    mm_vision_select_feature: 'patch',
    mm_use_im_start_end: false,
    mm_use_im_patch_token: false,
    use_mm_proj: true,
    ...(opts.family === 'llama' ? { image_aspect_ratio: 'pad' } : ONEVISION_ANYRES),
  };
  const plan = planLlmModel(opts, llava);
  const config = parseLlavaConfig(plan.hfConfig, plan.config.source, plan.generationConfig);
  const D = config.llm.hiddenSize;
  const projector = [0, 2].flatMap((i) => linear(`model.mm_projector.${i}`, D, i === 0 ? config.projector.inFeatures : D, true));
  const newline = opts.family === 'qwen2' ? [normal('model.image_newline', [D], 1)] : [];
  writeLlm(opts, plan, [...plan.tensors, ...projector, ...newline, ...(opts.fineTunedTower ? fineTunedTower(vision) : [])]);
  return { dir: opts.out, config, vision };
}

/** The tower's tensors as LLaVA-NeXT saves them inside the checkpoint: drawn under their own names, so their values differ from the tower directory's. */
function fineTunedTower(vision: VitConfig): TensorSpec[] {
  const siglip = vision.arch === 'siglip';
  const tensors = visionTowerTensors({ ...vision, prefix: LLAVA_NEXT_TOWER_PREFIX, numLayers: vision.numLayers - (siglip ? 1 : 0) });
  return tensors.filter((t) => !t.name.startsWith(`${LLAVA_NEXT_TOWER_PREFIX}head.`));
}

/** The same model as the original layout gives (same seed, same values), converted into the llava-hf layout. */
function makeLlavaHf(opts: MakeVlmOptions & { layout: Exclude<VlmLayout, 'original'> }): { dir: string; config: LlavaConfig; vision: VitConfig } {
  const staging = mkdtempSync(join(dirname(resolve(opts.out)), '.original-'));
  try {
    makeVlmModel({ ...opts, layout: 'original', out: staging });
    const config = writeLlavaHf(staging, opts.out, { layout: opts.layout, dtype: opts.dtype, maxShardBytes: opts.maxShardBytes });
    return { dir: opts.out, config, vision: readVitConfig(opts.out) };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

function writeLlm(opts: MakeVlmOptions, plan: LlmModelPlan, tensors: TensorSpec[]): void {
  mkdirSync(opts.out, { recursive: true });
  writeJson(join(opts.out, 'config.json'), plan.hfConfig);
  writeJson(join(opts.out, 'generation_config.json'), plan.generationConfig);
  writeJson(join(opts.out, 'tokenizer.json'), plan.tokenizer.tokenizer);
  writeJson(join(opts.out, 'tokenizer_config.json'), plan.tokenizer.tokenizerConfig);
  writeGeneratedWeights(opts.out, tensors, opts.seed, opts);
}

// Scales: embeddings N(0, 1); weights N(0, 1/fan_in) keep the residual stream O(1); RMSNorm scales
// N(1, 0.1) and q/k/v biases N(0, 0.1), so that a wrong norm or a missing bias shows in a parity test.
function linear(name: string, outFeatures: number, inFeatures: number, bias: boolean, trainedLike = false): TensorSpec[] {
  const weight = { ...normal(`${name}.weight`, [outFeatures, inFeatures], 1 / Math.sqrt(inFeatures)), ...(trainedLike ? { trainedLike } : {}) };
  return bias ? [weight, normal(`${name}.bias`, [outFeatures], 0.1)] : [weight];
}

function decoderTensors(c: LlmConfig, trainedLike: boolean): TensorSpec[] {
  const { hiddenSize: D, intermediateSize: M, vocabSize: V } = c;
  const qDim = c.numHeads * c.headDim;
  const kvDim = c.numKvHeads * c.headDim;
  const layers = Array.from({ length: c.numLayers }, (_, i) => `model.layers.${i}.`).flatMap((p) => [
    normal(`${p}input_layernorm.weight`, [D], 0.1, 1),
    ...linear(`${p}self_attn.q_proj`, qDim, D, c.qkvBias, trainedLike),
    ...linear(`${p}self_attn.k_proj`, kvDim, D, c.qkvBias, trainedLike),
    ...linear(`${p}self_attn.v_proj`, kvDim, D, c.qkvBias, trainedLike),
    ...linear(`${p}self_attn.o_proj`, D, qDim, c.oBias, trainedLike),
    normal(`${p}post_attention_layernorm.weight`, [D], 0.1, 1),
    ...linear(`${p}mlp.gate_proj`, M, D, c.mlpBias, trainedLike),
    ...linear(`${p}mlp.up_proj`, M, D, c.mlpBias, trainedLike),
    ...linear(`${p}mlp.down_proj`, D, M, c.mlpBias, trainedLike),
  ]);
  return [
    normal('model.embed_tokens.weight', [V, D], 1),
    ...layers,
    normal('model.norm.weight', [D], 0.1, 1),
    ...(c.tieWordEmbeddings ? [] : linear('lm_head', V, D, false, trainedLike)),
  ];
}
