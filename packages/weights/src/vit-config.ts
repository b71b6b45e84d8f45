import { join } from 'node:path';
import { DymuError } from '@dymu/core';
import { isObject, type Json, positiveInt, positiveNumber, readJson } from './json.ts';
import { type LlavaHfType, llavaHfType } from './llava-hf.ts';

export type VitArch = 'clip' | 'siglip';
export type HiddenAct = 'quick_gelu' | 'gelu' | 'gelu_pytorch_tanh' | 'gelu_new';

export interface VitConfig {
  arch: VitArch;
  hiddenSize: number;
  intermediateSize: number;
  numLayers: number;
  numHeads: number;
  patchSize: number;
  imageSize: number;
  numChannels: number;
  layerNormEps: number;
  hiddenAct: HiddenAct;
  /** clip: true, siglip: false */
  classToken: boolean;
  /** Tensor-name prefix of the vision tower: 'vision_model.' for all four HF classes (and llava-hf's tower, as WeightStore names it). */
  prefix: string;
  /** Path of the config.json it came from. */
  source: string;
}

/** The vision fields of a config.json, under their Hugging Face names. */
export interface HfVisionFields {
  hidden_size: number;
  intermediate_size: number;
  num_hidden_layers: number;
  num_attention_heads: number;
  num_channels: number;
  image_size: number;
  patch_size: number;
  hidden_act: HiddenAct;
  layer_norm_eps: number;
}

/** transformers' CLIPVisionConfig and SiglipVisionConfig defaults, used for fields a config.json omits. */
export const VIT_DEFAULTS: Record<VitArch, HfVisionFields> = {
  clip: {
    hidden_size: 768, intermediate_size: 3072, num_hidden_layers: 12, num_attention_heads: 12, num_channels: 3,
    image_size: 224, patch_size: 32, hidden_act: 'quick_gelu', layer_norm_eps: 1e-5,
  },
  siglip: {
    hidden_size: 768, intermediate_size: 3072, num_hidden_layers: 12, num_attention_heads: 12, num_channels: 3,
    image_size: 224, patch_size: 16, hidden_act: 'gelu_pytorch_tanh', layer_norm_eps: 1e-6,
  },
};

/** model_type → family, and whether the vision fields sit in a nested "vision_config". */
const MODEL_TYPES: Record<string, { arch: VitArch; nested: boolean }> = {
  clip: { arch: 'clip', nested: true },
  clip_vision_model: { arch: 'clip', nested: false },
  siglip: { arch: 'siglip', nested: true },
  siglip_vision_model: { arch: 'siglip', nested: false },
};

/** Used when model_type is missing. */
const ARCHITECTURES: Record<string, string> = {
  CLIPModel: 'clip',
  CLIPVisionModel: 'clip_vision_model',
  CLIPVisionModelWithProjection: 'clip_vision_model',
  SiglipModel: 'siglip',
  SiglipVisionModel: 'siglip_vision_model',
};

const HIDDEN_ACTS: readonly string[] = ['quick_gelu', 'gelu', 'gelu_pytorch_tanh', 'gelu_new'];

export function readVitConfig(dir: string): VitConfig {
  const source = join(dir, 'config.json');
  return parseVitConfig(readJson(source), source);
}

/**
 * The vision tower of a CLIPModel, CLIPVisionModel, SiglipModel or SiglipVisionModel config.json,
 * or the `vision_config` of a llava-hf one (LlavaForConditionalGeneration, LlavaOnevision…).
 */
export function parseVitConfig(raw: Json, source: string): VitConfig {
  const llava = llavaHfType(raw);
  const { arch, nested } = llava ? { arch: llavaVisionArch(raw, llava, source), nested: true } : MODEL_TYPES[modelType(raw, source)];
  // Old CLIP configs carry both "vision_config" and "vision_config_dict"; transformers lets the latter win.
  const sections = nested
    ? ['vision_config_dict', 'vision_config'].flatMap((key) => {
        if (raw[key] === undefined) return [];
        if (!isObject(raw[key])) throw new DymuError('expected an object', { file: source, field: key });
        return [{ path: `${key}.`, fields: raw[key] }];
      })
    : [{ path: '', fields: raw }];
  const field = (key: keyof HfVisionFields) => {
    const found = sections.find((s) => s.fields[key] !== undefined);
    return { value: found ? found.fields[key] : VIT_DEFAULTS[arch][key], path: (found ?? sections.at(-1))?.path ?? 'vision_config.' };
  };
  const int = (key: keyof HfVisionFields) => {
    const { value, path } = field(key);
    return positiveInt(value, source, path + key);
  };
  const act = field('hidden_act');
  if (!HIDDEN_ACTS.includes(act.value as string)) {
    throw new DymuError(`expected one of ${HIDDEN_ACTS.join(', ')}, got ${JSON.stringify(act.value)}`, { file: source, field: `${act.path}hidden_act` });
  }
  const eps = field('layer_norm_eps');
  const config: VitConfig = {
    arch,
    hiddenSize: int('hidden_size'),
    intermediateSize: int('intermediate_size'),
    numLayers: int('num_hidden_layers'),
    numHeads: int('num_attention_heads'),
    patchSize: int('patch_size'),
    imageSize: int('image_size'),
    numChannels: int('num_channels'),
    layerNormEps: positiveNumber(eps.value, source, `${eps.path}layer_norm_eps`),
    hiddenAct: act.value as HiddenAct,
    classToken: arch === 'clip',
    prefix: 'vision_model.',
    source,
  };
  if (config.hiddenSize % config.numHeads !== 0) {
    throw new DymuError(`hidden_size ${config.hiddenSize} is not divisible by ${config.numHeads} heads`, {
      file: source, field: field('num_attention_heads').path + 'num_attention_heads',
    });
  }
  if (config.imageSize < config.patchSize) {
    throw new DymuError(`image_size ${config.imageSize} is smaller than patch_size ${config.patchSize}`, {
      file: source, field: field('image_size').path + 'image_size',
    });
  }
  return config;
}

/**
 * Patches per image, as transformers counts them: (image_size // patch_size)^2. The patch
 * convolution has stride P and no padding, so when P does not divide the image size (SigLIP
 * so400m: 384 / 14) the last image_size % P rows and columns are never seen.
 */
export function numPatches(config: VitConfig): number {
  return Math.floor(config.imageSize / config.patchSize) ** 2;
}

/** The family of a llava-hf config's vision_config (its model_type, or the one transformers assumes). */
function llavaVisionArch(raw: Json, llava: LlavaHfType, file: string): VitArch {
  if (!isObject(raw.vision_config)) throw new DymuError(`expected an object (the vision tower's config), got ${JSON.stringify(raw.vision_config)}`, { file, field: 'vision_config' });
  const type = raw.vision_config.model_type ?? llava.vision;
  if (type !== 'clip_vision_model' && type !== 'siglip_vision_model') {
    throw new DymuError(`unsupported vision tower ${JSON.stringify(type)} (expected clip_vision_model or siglip_vision_model)`, { file, field: 'vision_config.model_type' });
  }
  return MODEL_TYPES[type].arch;
}

function modelType(raw: Json, file: string): string {
  const type = raw.model_type;
  if (typeof type === 'string' && Object.hasOwn(MODEL_TYPES, type)) return type;
  if (type !== undefined) {
    throw new DymuError(`unsupported model type ${JSON.stringify(type)} (expected ${Object.keys(MODEL_TYPES).join(', ')})`, { file, field: 'model_type' });
  }
  const known = (Array.isArray(raw.architectures) ? raw.architectures : []).find((a) => typeof a === 'string' && Object.hasOwn(ARCHITECTURES, a));
  if (known === undefined) throw new DymuError('missing, and "architectures" names no CLIP or SigLIP model', { file, field: 'model_type' });
  return ARCHITECTURES[known as string];
}
