import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DymuError, numel, Rng } from '@dymu/core';
import { type Json, writeJson } from './json.ts';
import { defaultPreprocessorConfig } from './preprocessor-config.ts';
import { type DType, type TensorSource, writeSafetensors, writeShardedSafetensors } from './safetensors.ts';
import { type HfVisionFields, numPatches, parseVitConfig, VIT_DEFAULTS, type VitConfig } from './vit-config.ts';

export type VitPresetName = string;
type Family = 'clip-vit' | 'siglip-vit';
type PresetFields = Pick<HfVisionFields, 'hidden_size' | 'intermediate_size' | 'num_hidden_layers' | 'num_attention_heads' | 'patch_size' | 'image_size'>;

const preset = (image_size: number, patch_size: number, hidden_size: number, num_hidden_layers: number, num_attention_heads: number, intermediate_size: number): PresetFields =>
  ({ hidden_size, intermediate_size, num_hidden_layers, num_attention_heads, patch_size, image_size });

export const VIT_PRESETS: Record<Family, Record<VitPresetName, PresetFields>> = {
  'clip-vit': {
    tiny: preset(64, 8, 64, 4, 4, 256),
    'base-16': preset(224, 16, 768, 12, 12, 3072),
    'large-14-336': preset(336, 14, 1024, 24, 16, 4096),
  },
  'siglip-vit': {
    tiny: preset(64, 8, 64, 4, 4, 256),
    'base-16-384': preset(384, 16, 768, 12, 12, 3072),
    'so400m-14-384': preset(384, 14, 1152, 27, 16, 4304),
  },
};

export interface MakeModelOptions {
  arch: Family;
  preset: VitPresetName;
  seed: number;
  out: string;
  dtype?: DType;
  withTextTower?: boolean;
  maxShardBytes?: number;
}

/**
 * How one tensor is drawn: mean + std * N(0, 1) from its own stream (std 0: a constant). A
 * `trainedLike` matrix [out, in] has the statistics that make quantisation hard in trained LLMs:
 * heavy-tailed entries (Student's t, 4 degrees of freedom, scaled to `std`) and 1 % of the input
 * channels 6× larger (outlier features).
 */
export interface TensorSpec {
  name: string;
  shape: number[];
  mean: number;
  std: number;
  trainedLike?: boolean;
}

export interface VitModelPlan {
  config: VitConfig;
  /** config.json */
  hfConfig: Json;
  /** preprocessor_config.json */
  preprocessor: Json;
  tensors: TensorSpec[];
}

const HF = {
  'clip-vit': { arch: 'clip', vision: 'CLIPVisionModel', visionType: 'clip_vision_model', model: 'CLIPModel', modelType: 'clip', textType: 'clip_text_model', positions: 77 },
  'siglip-vit': { arch: 'siglip', vision: 'SiglipVisionModel', visionType: 'siglip_vision_model', model: 'SiglipModel', modelType: 'siglip', textType: 'siglip_text_model', positions: 64 },
} as const;

/** The small text tower written alongside with `withTextTower`. */
const TEXT = { hidden_size: 64, intermediate_size: 128, num_hidden_layers: 2, num_attention_heads: 2, vocab_size: 1000 };
const PROJECTION_DIM = 64;
export const TORCH_DTYPE: Record<DType, string> = { F32: 'float32', F16: 'float16', BF16: 'bfloat16' };

/** Everything makeVitModel writes, except the weight values. */
export function planVitModel(opts: MakeModelOptions): VitModelPlan {
  const presets = VIT_PRESETS[opts.arch];
  if (!presets) throw new DymuError(`unknown architecture ${JSON.stringify(opts.arch)} (expected ${Object.keys(VIT_PRESETS).join(' or ')})`);
  if (!Object.hasOwn(presets, opts.preset)) {
    throw new DymuError(`unknown ${opts.arch} preset ${JSON.stringify(opts.preset)} (expected ${Object.keys(presets).join(', ')})`);
  }
  const hf = HF[opts.arch];
  const vision: HfVisionFields = { ...VIT_DEFAULTS[hf.arch], ...presets[opts.preset] };
  const hfConfig = opts.withTextTower ? fullConfig(opts.arch, vision) : { architectures: [hf.vision], model_type: hf.visionType, ...vision };
  Object.assign(hfConfig, { torch_dtype: TORCH_DTYPE[opts.dtype ?? 'F32'], transformers_version: '4.47.1' });
  const config = parseVitConfig(hfConfig, join(opts.out, 'config.json'));
  const tensors = [...visionTowerTensors(config), ...(opts.withTextTower ? textTower(opts.arch, config) : [])];
  return { config, hfConfig, preprocessor: preprocessorJson(config), tensors };
}

/**
 * Writes a model directory in exactly the Hugging Face layout (config.json,
 * preprocessor_config.json, model.safetensors or shards) with deterministic weights: every tensor
 * comes from the stream Rng.stream(seed, name), so adding the text tower leaves the vision weights alone.
 */
export function makeVitModel(opts: MakeModelOptions): { dir: string; config: VitConfig } {
  const plan = planVitModel(opts);
  mkdirSync(opts.out, { recursive: true });
  writeJson(join(opts.out, 'config.json'), plan.hfConfig);
  writeJson(join(opts.out, 'preprocessor_config.json'), plan.preprocessor);
  writeGeneratedWeights(opts.out, plan.tensors, opts.seed, opts);
  return { dir: opts.out, config: plan.config };
}

/**
 * Writes drawn tensors as model.safetensors, or as shards of at most `maxShardBytes`, replacing
 * the weight files already in `dir`.
 */
export function writeGeneratedWeights(dir: string, specs: TensorSpec[], seed: number, opts: { dtype?: DType; maxShardBytes?: number } = {}): void {
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(dir)) if (/^model(-\d{5}-of-\d{5})?\.safetensors(\.index\.json)?$/.test(f)) rmSync(join(dir, f));
  const tensors: TensorSource[] = specs.map((spec) => ({ name: spec.name, shape: spec.shape, data: () => draw(spec, seed) }));
  if (opts.maxShardBytes === undefined) writeSafetensors(join(dir, 'model.safetensors'), tensors, { dtype: opts.dtype, metadata: { format: 'pt' } });
  else writeShardedSafetensors(dir, tensors, { maxShardBytes: opts.maxShardBytes, dtype: opts.dtype });
}

function draw(spec: TensorSpec, seed: number): Float32Array {
  const out = new Float32Array(numel(spec.shape)).fill(spec.mean);
  if (spec.std === 0) return out;
  const rng = Rng.stream(seed, spec.name);
  if (!spec.trainedLike) {
    for (let i = 0; i < out.length; i++) out[i] += spec.std * rng.normal();
    return out;
  }
  const cols = spec.shape[spec.shape.length - 1];
  const channelScale = Float32Array.from({ length: cols }, () => (rng.float() < 0.01 ? 6 : 1));
  for (let i = 0; i < out.length; i++) {
    const chi2 = rng.normal() ** 2 + rng.normal() ** 2 + rng.normal() ** 2 + rng.normal() ** 2;
    const t4 = rng.normal() / Math.sqrt(chi2 / 4); // variance 2
    out[i] += (spec.std * channelScale[i % cols] * t4) / Math.SQRT2;
  }
  return out;
}

/** A CLIPModel / SiglipModel config: nested sub-configs that, as on the Hub, omit the vision defaults. */
function fullConfig(family: Family, vision: HfVisionFields): Json {
  const hf = HF[family];
  const defaults = VIT_DEFAULTS[hf.arch];
  const visionDiff = Object.fromEntries(Object.entries(vision).filter(([key, value]) => defaults[key as keyof HfVisionFields] !== value));
  return {
    architectures: [hf.model],
    model_type: hf.modelType,
    initializer_factor: 1.0,
    ...(hf.arch === 'clip' ? { projection_dim: PROJECTION_DIM, logit_scale_init_value: 2.6592 } : {}),
    text_config: { model_type: hf.textType, ...TEXT, max_position_embeddings: hf.positions },
    vision_config: { model_type: hf.visionType, ...visionDiff },
  };
}

/** preprocessor_config.json as the family publishes it: OpenAI's old CLIP format, Google's SigLIP one. */
function preprocessorJson(config: VitConfig): Json {
  const p = defaultPreprocessorConfig(config);
  const side = config.imageSize;
  const common = { do_normalize: true, do_resize: true, image_mean: p.mean, image_std: p.std, resample: p.resample };
  return config.arch === 'clip'
    ? { ...common, crop_size: side, do_center_crop: true, feature_extractor_type: 'CLIPFeatureExtractor', size: side }
    : { ...common, do_rescale: true, image_processor_type: 'SiglipImageProcessor', processor_class: 'SiglipProcessor', rescale_factor: p.rescaleFactor, size: { height: side, width: side } };
}

// Value scales: weights N(0, 1/fan_in) keep activations O(1) through pre-norm layers of any depth;
// LayerNorm parameters stray from (1, 0) enough that getting them wrong shows in a parity test.
export const normal = (name: string, shape: number[], std: number, mean = 0): TensorSpec => ({ name, shape, mean, std });
const constant = (name: string, shape: number[], value: number): TensorSpec => normal(name, shape, 0, value);

function linear(name: string, outFeatures: number, inFeatures: number, bias = true): TensorSpec[] {
  const weight = normal(`${name}.weight`, [outFeatures, inFeatures], 1 / Math.sqrt(inFeatures));
  return bias ? [weight, normal(`${name}.bias`, [outFeatures], 0.02)] : [weight];
}

function layerNorm(name: string, d: number): TensorSpec[] {
  return [normal(`${name}.weight`, [d], 0.1, 1), normal(`${name}.bias`, [d], 0.05)];
}

function encoder(prefix: string, layers: number, d: number, m: number): TensorSpec[] {
  return Array.from({ length: layers }, (_, i) => `${prefix}encoder.layers.${i}.`).flatMap((p) => [
    ...['q_proj', 'k_proj', 'v_proj', 'out_proj'].flatMap((proj) => linear(`${p}self_attn.${proj}`, d, d)),
    ...layerNorm(`${p}layer_norm1`, d),
    ...linear(`${p}mlp.fc1`, m, d),
    ...linear(`${p}mlp.fc2`, d, m),
    ...layerNorm(`${p}layer_norm2`, d),
  ]);
}

/** A CLIP / SigLIP vision tower's tensors under `c.prefix` (SigLIP's with its pooling head). */
export function visionTowerTensors(c: VitConfig): TensorSpec[] {
  const { prefix: v, hiddenSize: d, intermediateSize: m, patchSize: p } = c;
  const clip = c.arch === 'clip';
  const positions = numPatches(c) + (c.classToken ? 1 : 0);
  return [
    normal(`${v}embeddings.patch_embedding.weight`, [d, c.numChannels, p, p], 1 / Math.sqrt(c.numChannels * p * p)),
    clip ? normal(`${v}embeddings.class_embedding`, [d], 0.02) : normal(`${v}embeddings.patch_embedding.bias`, [d], 0.02),
    normal(`${v}embeddings.position_embedding.weight`, [positions, d], 0.02),
    ...(clip ? layerNorm(`${v}pre_layrnorm`, d) : []),
    ...encoder(v, c.numLayers, d, m),
    ...layerNorm(`${v}post_layernorm`, d),
    ...(clip ? [] : poolingHead(`${v}head.`, d, m)),
  ];
}

/** SigLIP's attention-pooling head (SiglipMultiheadAttentionPoolingHead), part of every SigLIP vision tower. */
function poolingHead(h: string, d: number, m: number): TensorSpec[] {
  return [
    normal(`${h}probe`, [1, 1, d], 1),
    normal(`${h}attention.in_proj_weight`, [3 * d, d], 1 / Math.sqrt(d)),
    normal(`${h}attention.in_proj_bias`, [3 * d], 0.02),
    ...linear(`${h}attention.out_proj`, d, d),
    ...layerNorm(`${h}layernorm`, d),
    ...linear(`${h}mlp.fc1`, m, d),
    ...linear(`${h}mlp.fc2`, d, m),
  ];
}

/** The text tower and the joint-embedding parameters of a CLIPModel / SiglipModel checkpoint. */
function textTower(family: Family, c: VitConfig): TensorSpec[] {
  const t = 'text_model.';
  const h = TEXT.hidden_size;
  return [
    normal(`${t}embeddings.token_embedding.weight`, [TEXT.vocab_size, h], 0.02),
    normal(`${t}embeddings.position_embedding.weight`, [HF[family].positions, h], 0.02),
    ...encoder(t, TEXT.num_hidden_layers, h, TEXT.intermediate_size),
    ...layerNorm(`${t}final_layer_norm`, h),
    ...(c.arch === 'clip'
      ? [
          ...linear('visual_projection', PROJECTION_DIM, c.hiddenSize, false),
          ...linear('text_projection', PROJECTION_DIM, h, false),
          constant('logit_scale', [], 2.6592),
        ]
      : [...linear(`${t}head`, h, h), constant('logit_scale', [1], Math.log(10)), constant('logit_bias', [1], -10)]),
  ];
}
