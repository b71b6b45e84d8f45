import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type LlavaConfig, parseLlavaConfig, readLlavaConfig, readLlmConfig, readVitConfig } from '../src/index.ts';
import { fromLlavaHf, isLlavaHfLayout, toLlavaHf } from '../src/llava-hf.ts';

const fixtures = join(import.meta.dirname, 'fixtures');
const LLAVA_15 = join(fixtures, 'llava-1.5-7b-hf'); // llava-hf/llava-1.5-7b-hf: config.json, generation_config.json
const ONEVISION = join(fixtures, 'llava-onevision-qwen2-7b-ov-hf'); // llava-hf/llava-onevision-qwen2-7b-ov-hf: config.json
const raw = (dir: string) => JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;

describe('llava-hf tensor names', () => {
  // As published on the Hub, and as transformers ≥ 4.52 saves them, against the original LLaVA names.
  const names: [string, string, string][] = [
    ['language_model.model.embed_tokens.weight', 'model.language_model.embed_tokens.weight', 'model.embed_tokens.weight'],
    ['language_model.model.layers.31.self_attn.q_proj.weight', 'model.language_model.layers.31.self_attn.q_proj.weight', 'model.layers.31.self_attn.q_proj.weight'],
    ['language_model.model.norm.weight', 'model.language_model.norm.weight', 'model.norm.weight'],
    ['language_model.lm_head.weight', 'lm_head.weight', 'lm_head.weight'],
    ['multi_modal_projector.linear_1.weight', 'model.multi_modal_projector.linear_1.weight', 'model.mm_projector.0.weight'],
    ['multi_modal_projector.linear_2.bias', 'model.multi_modal_projector.linear_2.bias', 'model.mm_projector.2.bias'],
    ['image_newline', 'model.image_newline', 'model.image_newline'],
    ['vision_tower.vision_model.encoder.layers.0.mlp.fc1.weight', 'model.vision_tower.vision_model.encoder.layers.0.mlp.fc1.weight', 'vision_model.encoder.layers.0.mlp.fc1.weight'],
    ['vision_tower.vision_model.pre_layrnorm.bias', 'model.vision_tower.vision_model.pre_layrnorm.bias', 'vision_model.pre_layrnorm.bias'],
  ];

  it.each(names)('%s / %s → %s and back', (hub, modern, original) => {
    expect(fromLlavaHf(hub)).toBe(original);
    expect(fromLlavaHf(modern)).toBe(original);
    expect(toLlavaHf(original)).toBe(hub);
    expect(toLlavaHf(original, 'transformers-4.52')).toBe(modern);
  });

  it('tells the layout from the names: original LLaVA and CLIP checkpoints are not llava-hf', () => {
    expect(isLlavaHfLayout(['lm_head.weight', 'language_model.model.norm.weight'])).toBe(true);
    expect(isLlavaHfLayout(['lm_head.weight', 'model.language_model.norm.weight'])).toBe(true);
    expect(isLlavaHfLayout(['model.norm.weight', 'model.mm_projector.0.weight', 'model.image_newline', 'lm_head.weight'])).toBe(false);
    expect(isLlavaHfLayout(['vision_model.post_layernorm.weight', 'text_model.final_layer_norm.weight'])).toBe(false);
  });
});

describe('llava-hf config.json', () => {
  it('reads llava-hf/llava-1.5-7b-hf: LLaMA defaults under text_config, the CLIP tower of vision_config, "default" drops the class token', () => {
    const c = readLlavaConfig(LLAVA_15);
    const source = join(LLAVA_15, 'config.json');
    expect(c).toEqual({
      llm: {
        family: 'llama', hiddenSize: 4096, intermediateSize: 11008, numLayers: 32, numHeads: 32, numKvHeads: 32, headDim: 128, vocabSize: 32064,
        rmsNormEps: 1e-5, ropeTheta: 10000, maxPositions: 4096, qkvBias: false, oBias: false, mlpBias: false, tieWordEmbeddings: false,
        bosTokenId: undefined, eosTokenIds: [2], source,
      },
      projector: { type: 'mlp2x_gelu', depth: 2, inFeatures: 1024, outFeatures: 4096, bias: true },
      visionTower: '.', selectLayer: -2, selectFeature: 'patch', imageAspectRatio: 'pad', imageGridPinpoints: undefined, patchMergeType: 'flat',
      videoPooling: { mode: 'bilinear', stride: 2, newline: 'one_token' }, source,
    } satisfies LlavaConfig);
    expect(readLlmConfig(LLAVA_15)).toEqual(c.llm);
    expect(readVitConfig(LLAVA_15)).toMatchObject({ arch: 'clip', hiddenSize: 1024, numLayers: 24, numHeads: 16, imageSize: 336, patchSize: 14, hiddenAct: 'quick_gelu', classToken: true, prefix: 'vision_model.' });
  });

  it('reads llava-hf/llava-onevision-qwen2-7b-ov-hf: Qwen2 with GQA, the SigLIP tower, AnyRes fields, "full" keeps every patch', () => {
    const c = readLlavaConfig(ONEVISION);
    expect(c.llm).toMatchObject({ family: 'qwen2', hiddenSize: 3584, intermediateSize: 18944, numLayers: 28, numHeads: 28, numKvHeads: 4, headDim: 128, vocabSize: 152128, ropeTheta: 1e6, qkvBias: true, bosTokenId: 151643, eosTokenIds: [151645] });
    expect(c).toMatchObject({ projector: { inFeatures: 1152, outFeatures: 3584, bias: true }, visionTower: '.', selectLayer: -1, selectFeature: 'cls_patch', imageAspectRatio: 'anyres_max_9', patchMergeType: 'spatial_unpad' });
    // transformers' LlavaOnevision pools video frames bilinearly by 2 and appends one image_newline per video.
    expect(c.videoPooling).toEqual({ mode: 'bilinear', stride: 2, newline: 'one_token' });
    expect(c.imageGridPinpoints).toEqual(raw(ONEVISION).image_grid_pinpoints);
    expect(readVitConfig(ONEVISION)).toMatchObject({ arch: 'siglip', hiddenSize: 1152, intermediateSize: 4304, numLayers: 26, imageSize: 384, patchSize: 14, classToken: false });
  });

  it("takes transformers' defaults for omitted fields (OneVision: Qwen2, SigLIP, layer −1, full, the 36 pinpoints of 384 px)", () => {
    const c = parseLlavaConfig({ model_type: 'llava_onevision', text_config: { hidden_size: 64, num_attention_heads: 4 }, vision_config: { hidden_size: 32, num_attention_heads: 2 } }, 'x/config.json');
    expect(c).toMatchObject({ llm: { family: 'qwen2', hiddenSize: 64 }, projector: { inFeatures: 32 }, selectLayer: -1, selectFeature: 'cls_patch', imageAspectRatio: 'anyres_max_9' });
    expect(c.imageGridPinpoints).toEqual(raw(ONEVISION).image_grid_pinpoints);
    const tied = parseLlavaConfig({ model_type: 'llava', text_config: { tie_word_embeddings: true }, vision_config: {} }, 'x/config.json');
    expect(tied).toMatchObject({ llm: { family: 'llama', tieWordEmbeddings: true }, selectLayer: -2, selectFeature: 'patch', projector: { inFeatures: 768 } });
  });

  it.each([
    [{ vision_feature_layer: [-2, -5] }, 'x/config.json: vision_feature_layer: expected an integer (lists of layers are not supported), got [-2,-5]'],
    [{ vision_feature_select_strategy: 'cls' }, 'x/config.json: vision_feature_select_strategy: expected "default" or "full", got "cls"'],
    [{ projector_hidden_act: 'relu' }, 'x/config.json: projector_hidden_act: only "gelu" is supported, got "relu"'],
    [{ text_config: { hidden_size: 'big' } }, 'x/config.json: text_config.hidden_size: expected a positive integer, got "big"'],
    [{ text_config: { model_type: 'mistral' } }, 'x/config.json: text_config.model_type: unsupported model type "mistral"'],
    [{ vision_config: { model_type: 'dinov2' } }, 'x/config.json: vision_config.model_type: unsupported vision tower "dinov2"'],
    [{ vision_config: { hidden_size: 0 } }, 'x/config.json: vision_config.hidden_size: expected a positive integer, got 0'],
  ])('refuses %j naming the field', (fields, message) => {
    expect(() => parseLlavaConfig({ model_type: 'llava', text_config: {}, vision_config: {}, ...fields }, 'x/config.json')).toThrow(message);
  });
});
