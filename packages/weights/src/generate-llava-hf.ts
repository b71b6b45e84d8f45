import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Json, readJson, writeJson } from './json.ts';
import { type LlavaConfig, readLlavaConfig } from './llm-config.ts';
import { toLlavaHf } from './llava-hf.ts';
import { type DType, type TensorSource, writeSafetensors, writeShardedSafetensors } from './safetensors.ts';
import { llavaSelectedBlocks, openVisionTower } from './vision-tower.ts';
import { WeightStore } from './weight-store.ts';

/**
 * How a generated VLM is laid out: as the LLaVA authors publish it (decoder + projector, the tower in
 * its own directory), or as llava-hf publishes it on the Hub (one LlavaForConditionalGeneration /
 * LlavaOnevisionForConditionalGeneration checkpoint, `language_model.model.…`), or as transformers
 * ≥ 4.52 saves that (`model.language_model.…`).
 */
export type VlmLayout = 'original' | 'llava-hf' | 'llava-hf-4.52';

/** The LLaVA-only fields of an original config.json, which llava-hf replaces by its own. */
const LLAVA_FIELDS = /^(mm_.*|use_mm_proj|image_aspect_ratio|image_grid_pinpoints)$/;
const TEXT_ARCHITECTURES = { llama: 'LlamaForCausalLM', qwen2: 'Qwen2ForCausalLM' } as const;
const VISION_TYPES = { clip: 'clip_vision_model', siglip: 'siglip_vision_model' } as const;

/**
 * Writes an original-layout LLaVA checkpoint `dir` (decoder + projector, the tower where
 * mm_vision_tower says) into `out` in the llava-hf layout, as transformers' convert_llava_weights_to_hf
 * does: every tensor copied under its llava-hf name into one checkpoint, config.json with
 * text_config / vision_config / vision_feature_*, the tower's preprocessor_config.json and the
 * tokenizer and generation files. A fine-tuned tower the checkpoint holds is the one written (as
 * convert_llava_onevision_weights_to_hf takes it: vision_config with the blocks it holds,
 * vision_feature_layer counted on them). Tensors are read one at a time while writing.
 */
export function writeLlavaHf(dir: string, out: string, opts: { layout: Exclude<VlmLayout, 'original'>; dtype?: DType; maxShardBytes?: number }): LlavaConfig {
  const config = readLlavaConfig(dir);
  const towerDir = resolve(dir, config.visionTower);
  const store = WeightStore.open(dir);
  const tower = openVisionTower(towerDir, store);
  const vision = tower.config;
  const generation = opts.layout === 'llava-hf' ? 'hub' : 'transformers-4.52';
  const raw = readJson(config.source);
  const towerRaw = readJson(vision.source);
  const onevision = config.imageAspectRatio.startsWith('anyres');
  const text: Json = Object.fromEntries(Object.entries(raw).filter(([key]) => !LLAVA_FIELDS.test(key)));
  const hf: Json = {
    architectures: [onevision ? 'LlavaOnevisionForConditionalGeneration' : 'LlavaForConditionalGeneration'],
    model_type: onevision ? 'llava_onevision' : 'llava',
    text_config: { ...text, architectures: [TEXT_ARCHITECTURES[config.llm.family]], model_type: config.llm.family },
    vision_config: { ...withoutArchitectures(towerRaw), model_type: VISION_TYPES[vision.arch], num_hidden_layers: vision.numLayers },
    vision_feature_layer: llavaSelectedBlocks(config, tower) - vision.numLayers - 1,
    // transformers' 'default' drops the first token whatever the tower: only a class token may go.
    vision_feature_select_strategy: config.selectFeature === 'patch' && vision.classToken ? 'default' : 'full',
    projector_hidden_act: 'gelu',
    tie_word_embeddings: config.llm.tieWordEmbeddings,
    ...(onevision ? { vision_aspect_ratio: config.imageAspectRatio, image_grid_pinpoints: config.imageGridPinpoints } : {}),
    torch_dtype: raw.torch_dtype,
    transformers_version: generation === 'hub' ? '4.47.1' : '4.52.0',
  };
  const inTower = (name: string) => name.startsWith(vision.prefix);
  const sources = [
    ...store.names().filter((name) => !(tower.fromCheckpoint && inTower(name))).map((name) => ({ name, local: name, from: store })),
    ...tower.store.names().filter(inTower).map((name) => ({ name, local: `vision_model.${name.slice(vision.prefix.length)}`, from: tower.store })),
  ];
  const tensors: TensorSource[] = sources.map(({ name, local, from }) => ({ name: toLlavaHf(local, generation), shape: from.info(name).shape, data: () => from.get(name) }));
  mkdirSync(out, { recursive: true });
  writeJson(join(out, 'config.json'), hf);
  if (opts.maxShardBytes === undefined) writeSafetensors(join(out, 'model.safetensors'), tensors, { dtype: opts.dtype, metadata: { format: 'pt' } });
  else writeShardedSafetensors(out, tensors, { maxShardBytes: opts.maxShardBytes, dtype: opts.dtype });
  for (const [from, file] of [[towerDir, 'preprocessor_config.json'], [dir, 'generation_config.json'], [dir, 'tokenizer.json'], [dir, 'tokenizer_config.json']]) {
    if (existsSync(join(from, file))) copyFileSync(join(from, file), join(out, file));
  }
  return readLlavaConfig(out);
}

function withoutArchitectures(config: Json): Json {
  return Object.fromEntries(Object.entries(config).filter(([key]) => key !== 'architectures'));
}
