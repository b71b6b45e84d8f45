import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DymuError } from '@dymu/core';
import { isObject, type Json, positiveInt, positiveNumber, readJson } from './json.ts';
import { type LlavaHfType, llavaHfType } from './llava-hf.ts';
import { parseVitConfig } from './vit-config.ts';

export type LlmFamily = 'llama' | 'qwen2';

/** A RoPE decoder (LlamaForCausalLM, Qwen2ForCausalLM, or the language model of a LLaVA checkpoint). */
export interface LlmConfig {
  family: LlmFamily;
  hiddenSize: number;
  intermediateSize: number;
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  vocabSize: number;
  rmsNormEps: number;
  ropeTheta: number;
  maxPositions: number;
  /** q/k/v projections carry a bias: always for Qwen2, `attention_bias` for LLaMA (which also biases o_proj). */
  qkvBias: boolean;
  oBias: boolean;
  mlpBias: boolean;
  /** lm_head reuses model.embed_tokens.weight. */
  tieWordEmbeddings: boolean;
  bosTokenId?: number;
  /** config.json's and generation_config.json's eos_token_id, together. */
  eosTokenIds: number[];
  /** Path of the config.json it came from. */
  source: string;
}

/** The vision-side fields of a LLaVA checkpoint's config.json (haotian-liu/LLaVA, LLaVA-NeXT layout). */
export interface LlavaConfig {
  llm: LlmConfig;
  /** `mm_projector_type`: 'linear', or `mlp{depth}x_gelu` (Linear, then depth − 1 × (GELU, Linear)). */
  /** `bias`: the linear layers carry biases (always in the original layout; llava-hf's multimodal_projector_bias). */
  projector: { type: string; depth: number; inFeatures: number; outFeatures: number; bias: boolean };
  /** `mm_vision_tower`: a Hub id or a path (resolved by the VLM loader); '.' for llava-hf, whose checkpoint holds the tower. */
  visionTower: string;
  /** `mm_vision_select_layer`: index into the tower's hidden_states (−2: the penultimate block). */
  selectLayer: number;
  /** `mm_vision_select_feature`: 'patch' drops the class token, 'cls_patch' keeps it. */
  selectFeature: 'patch' | 'cls_patch';
  /** `image_aspect_ratio`: 'pad' (LLaVA-1.5), 'square', 'anyres…' (OneVision). */
  imageAspectRatio: string;
  /** `image_grid_pinpoints` as written (a list, its string form or "(1x1),...,(6x6)"; parsed by @dymu/encoders' parsePinpoints with the tower's crop size). */
  imageGridPinpoints?: unknown;
  /** `mm_patch_merge_type`: 'flat' (the default) or 'spatial_unpad' (OneVision). */
  patchMergeType: string;
  /**
   * How a video's frame features are pooled (LLaVA-NeXT's get_2dPool and mm_newline_position), as
   * written: `mm_spatial_pool_mode`, `mm_spatial_pool_stride`, `mm_newline_position`; absent (or
   * null): lmms-eval's llava_onevision settings (bilinear, 2) and LLaVA-NeXT's default (one_token).
   * llava-hf OneVision has no such fields: transformers pools bilinearly by 2, one newline per video.
   * Checked by @dymu/llm when a video is encoded.
   */
  videoPooling: { mode: unknown; stride: unknown; newline: unknown };
  source: string;
}

/** lmms-eval's llava_onevision pooling (its overwrite_config) and LLaVA-NeXT's mm_newline_position default. */
const VIDEO_POOLING = { mode: 'bilinear', stride: 2, newline: 'one_token' } as const;

/** transformers' LlamaConfig / Qwen2Config defaults for the fields we read. */
const DEFAULTS: Record<LlmFamily, Json> = {
  llama: { vocab_size: 32000, hidden_size: 4096, intermediate_size: 11008, num_hidden_layers: 32, num_attention_heads: 32, rms_norm_eps: 1e-6, rope_theta: 10000, max_position_embeddings: 2048 },
  qwen2: { vocab_size: 151936, hidden_size: 4096, intermediate_size: 22016, num_hidden_layers: 32, num_attention_heads: 32, rms_norm_eps: 1e-6, rope_theta: 10000, max_position_embeddings: 32768 },
};

const MODEL_TYPES = ['llama', 'qwen2', 'llava', 'llava_llama', 'llava_qwen'];

/** config.json (and generation_config.json if present) of a LLaMA / Qwen2 / LLaVA model directory. */
export function readLlmConfig(dir: string): LlmConfig {
  const { raw, source, generation } = readConfigFiles(dir);
  return llavaHfType(raw) ? parseLlavaConfig(raw, source, generation).llm : parseLlmConfig(raw, source, generation);
}

/** `path`: where the fields sit in config.json ('text_config.' for a llava-hf checkpoint), for error messages. */
export function parseLlmConfig(raw: Json, source: string, generation: Json = {}, path = ''): LlmConfig {
  const family = familyOf(raw, source, path);
  const field = (key: string) => raw[key] ?? DEFAULTS[family][key];
  const int = (key: string) => positiveInt(field(key), source, path + key);
  const flag = (key: string, fallback: boolean) => {
    const v = raw[key] ?? fallback;
    if (typeof v !== 'boolean') throw new DymuError(`expected true or false, got ${JSON.stringify(v)}`, { file: source, field: path + key });
    return v;
  };
  if ((raw.hidden_act ?? 'silu') !== 'silu') throw new DymuError(`only "silu" (SwiGLU) is supported, got ${JSON.stringify(raw.hidden_act)}`, { file: source, field: `${path}hidden_act` });
  if (raw.rope_scaling !== undefined && raw.rope_scaling !== null) {
    throw new DymuError(`RoPE scaling is not supported, got ${JSON.stringify(raw.rope_scaling)}`, { file: source, field: `${path}rope_scaling` });
  }
  if (raw.use_sliding_window === true) throw new DymuError('sliding-window attention is not supported', { file: source, field: `${path}use_sliding_window` });
  const numHeads = int('num_attention_heads');
  const numKvHeads = raw.num_key_value_heads === undefined || raw.num_key_value_heads === null ? numHeads : positiveInt(raw.num_key_value_heads, source, `${path}num_key_value_heads`);
  const hiddenSize = int('hidden_size');
  const headDim = raw.head_dim === undefined || raw.head_dim === null ? hiddenSize / numHeads : positiveInt(raw.head_dim, source, `${path}head_dim`);
  if (!Number.isInteger(headDim) || headDim % 2 !== 0) {
    throw new DymuError(`head dim ${headDim} (hidden_size / num_attention_heads) must be an even integer`, { file: source, field: `${path}num_attention_heads` });
  }
  if (numHeads % numKvHeads !== 0) {
    throw new DymuError(`${numHeads} attention heads are not a multiple of ${numKvHeads} KV heads`, { file: source, field: `${path}num_key_value_heads` });
  }
  const attentionBias = family === 'llama' && flag('attention_bias', false);
  return {
    family,
    hiddenSize,
    intermediateSize: int('intermediate_size'),
    numLayers: int('num_hidden_layers'),
    numHeads,
    numKvHeads,
    headDim,
    vocabSize: int('vocab_size'),
    rmsNormEps: positiveNumber(field('rms_norm_eps'), source, `${path}rms_norm_eps`),
    ropeTheta: positiveNumber(field('rope_theta'), source, `${path}rope_theta`),
    maxPositions: int('max_position_embeddings'),
    qkvBias: family === 'qwen2' || attentionBias,
    oBias: attentionBias,
    mlpBias: family === 'llama' && flag('mlp_bias', false),
    tieWordEmbeddings: flag('tie_word_embeddings', false),
    bosTokenId: tokenIds(raw.bos_token_id, source, `${path}bos_token_id`)[0],
    eosTokenIds: [...new Set([...tokenIds(raw.eos_token_id, source, `${path}eos_token_id`), ...tokenIds(generation.eos_token_id, source.replace(/config\.json$/, 'generation_config.json'), 'eos_token_id')])],
    source,
  };
}

export function readLlavaConfig(dir: string): LlavaConfig {
  const { raw, source, generation } = readConfigFiles(dir);
  return parseLlavaConfig(raw, source, generation);
}

function readConfigFiles(dir: string): { raw: Json; source: string; generation: Json } {
  const source = join(dir, 'config.json');
  const generation = join(dir, 'generation_config.json');
  return { raw: readJson(source), source, generation: existsSync(generation) ? readJson(generation) : {} };
}

/** A LLaVA checkpoint's config.json: the language model's fields plus the mm_* fields of the projector and vision tower. */
export function parseLlavaConfig(raw: Json, source: string, generation: Json = {}): LlavaConfig {
  const llava = llavaHfType(raw);
  if (llava) return parseLlavaHfConfig(raw, llava, source, generation);
  const llm = parseLlmConfig(raw, source, generation);
  const str = (key: string, fallback?: string) => {
    const v = raw[key] ?? fallback;
    if (typeof v !== 'string' || v === '') throw new DymuError(`expected a string, got ${JSON.stringify(v)}`, { file: source, field: key });
    return v;
  };
  const type = str('mm_projector_type', 'linear');
  const mlp = /^mlp(\d+)x_gelu$/.exec(type);
  if (type !== 'linear' && !mlp) throw new DymuError(`unsupported projector type ${JSON.stringify(type)} (expected linear or mlp<N>x_gelu)`, { file: source, field: 'mm_projector_type' });
  const selectLayer = raw.mm_vision_select_layer ?? -2;
  if (!Number.isInteger(selectLayer)) throw new DymuError(`expected an integer, got ${JSON.stringify(selectLayer)}`, { file: source, field: 'mm_vision_select_layer' });
  const selectFeature = str('mm_vision_select_feature', 'patch');
  if (selectFeature !== 'patch' && selectFeature !== 'cls_patch') {
    throw new DymuError(`expected "patch" or "cls_patch", got ${JSON.stringify(selectFeature)}`, { file: source, field: 'mm_vision_select_feature' });
  }
  if (raw.mm_use_im_start_end === true) throw new DymuError('image start/end tokens are not supported', { file: source, field: 'mm_use_im_start_end' });
  return {
    llm,
    projector: { type, depth: mlp ? positiveInt(Number(mlp[1]), source, 'mm_projector_type') : 1, inFeatures: positiveInt(raw.mm_hidden_size, source, 'mm_hidden_size'), outFeatures: llm.hiddenSize, bias: true },
    visionTower: str('mm_vision_tower'),
    selectLayer: selectLayer as number,
    selectFeature,
    imageAspectRatio: str('image_aspect_ratio', 'square'),
    imageGridPinpoints: raw.image_grid_pinpoints ?? undefined,
    patchMergeType: str('mm_patch_merge_type', 'flat'),
    videoPooling: {
      mode: raw.mm_spatial_pool_mode ?? VIDEO_POOLING.mode,
      stride: raw.mm_spatial_pool_stride ?? VIDEO_POOLING.stride,
      newline: raw.mm_newline_position ?? VIDEO_POOLING.newline,
    },
    source,
  };
}

/**
 * A llava-hf config.json (LlavaForConditionalGeneration, LlavaOnevisionForConditionalGeneration):
 * the decoder in text_config, the tower in vision_config (its width is the projector's input), a
 * linear_1 → GELU → linear_2 projector, vision_feature_layer / vision_feature_select_strategy
 * ('default' drops the class token, 'full' keeps it), with transformers' defaults for what is
 * omitted. The tower lives in the checkpoint itself (`visionTower` '.'). LLaVA-1.5 keeps its
 * pad-to-square; OneVision takes vision_aspect_ratio, image_grid_pinpoints and spatial_unpad.
 */
function parseLlavaHfConfig(raw: Json, llava: LlavaHfType, source: string, generation: Json): LlavaConfig {
  const onevision = llava.modelType === 'llava_onevision';
  const text = raw.text_config ?? {};
  if (!isObject(text)) throw new DymuError(`expected an object (the language model's config), got ${JSON.stringify(text)}`, { file: source, field: 'text_config' });
  // LlavaConfig: the top-level tie_word_embeddings, or the text config's when that says true.
  const tie = raw.tie_word_embeddings === true || (text.tie_word_embeddings ?? false);
  const llm = parseLlmConfig({ model_type: llava.text, bos_token_id: raw.bos_token_id, eos_token_id: raw.eos_token_id, ...text, tie_word_embeddings: tie }, source, generation, 'text_config.');
  const vision = parseVitConfig(raw, source);
  const act = raw.projector_hidden_act ?? 'gelu';
  if (act !== 'gelu') throw new DymuError(`only "gelu" is supported, got ${JSON.stringify(act)}`, { file: source, field: 'projector_hidden_act' });
  const bias = raw.multimodal_projector_bias ?? true;
  if (typeof bias !== 'boolean') throw new DymuError(`expected true or false, got ${JSON.stringify(bias)}`, { file: source, field: 'multimodal_projector_bias' });
  const selectLayer = raw.vision_feature_layer ?? (onevision ? -1 : -2);
  if (!Number.isInteger(selectLayer)) throw new DymuError(`expected an integer (lists of layers are not supported), got ${JSON.stringify(selectLayer)}`, { file: source, field: 'vision_feature_layer' });
  const strategy = raw.vision_feature_select_strategy ?? (onevision ? 'full' : 'default');
  if (strategy !== 'default' && strategy !== 'full') throw new DymuError(`expected "default" or "full", got ${JSON.stringify(strategy)}`, { file: source, field: 'vision_feature_select_strategy' });
  const aspect = raw.vision_aspect_ratio ?? 'anyres_max_9';
  if (onevision && (typeof aspect !== 'string' || !aspect.startsWith('anyres'))) throw new DymuError(`expected "anyres…", got ${JSON.stringify(aspect)}`, { file: source, field: 'vision_aspect_ratio' });
  return {
    llm,
    projector: { type: 'mlp2x_gelu', depth: 2, inFeatures: vision.hiddenSize, outFeatures: llm.hiddenSize, bias },
    visionTower: '.',
    selectLayer: selectLayer as number,
    selectFeature: strategy === 'default' ? 'patch' : 'cls_patch',
    imageAspectRatio: onevision ? (aspect as string) : 'pad',
    imageGridPinpoints: onevision ? (raw.image_grid_pinpoints ?? ONEVISION_PINPOINTS) : undefined,
    patchMergeType: onevision ? 'spatial_unpad' : 'flat',
    videoPooling: VIDEO_POOLING,
    source,
  };
}

/** LlavaOnevisionConfig's default image_grid_pinpoints: 384 × (1…6) by 384 × (1…6). */
const ONEVISION_PINPOINTS = Array.from({ length: 36 }, (_, i) => [384 * (Math.floor(i / 6) + 1), 384 * ((i % 6) + 1)]);

function familyOf(raw: Json, file: string, path: string): LlmFamily {
  const type = raw.model_type;
  if (typeof type !== 'string' || !MODEL_TYPES.includes(type)) {
    throw new DymuError(`unsupported model type ${JSON.stringify(type)} (expected ${MODEL_TYPES.join(', ')})`, { file, field: `${path}model_type` });
  }
  if (type === 'llama' || type === 'qwen2') return type;
  if (type === 'llava_qwen') return 'qwen2';
  const architectures = Array.isArray(raw.architectures) ? raw.architectures : [];
  return architectures.some((a) => typeof a === 'string' && /qwen/i.test(a)) ? 'qwen2' : 'llama';
}

function tokenIds(value: unknown, file: string, field: string): number[] {
  if (value === undefined || value === null) return [];
  const ids = Array.isArray(value) ? value : [value];
  if (!ids.every((id) => Number.isInteger(id) && id >= 0)) throw new DymuError(`expected a token id or a list of them, got ${JSON.stringify(value)}`, { file, field });
  return ids as number[];
}
