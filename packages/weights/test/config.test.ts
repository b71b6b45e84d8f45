import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { numPatches, readPreprocessorConfig, readVitConfig, type VitConfig } from '../src/index.ts';

const fixtures = join(import.meta.dirname, 'fixtures');
const CLIP_L_336 = join(fixtures, 'clip-vit-large-patch14-336'); // openai/clip-vit-large-patch14-336
const SIGLIP_SO400M = join(fixtures, 'siglip-so400m-patch14-384'); // google/siglip-so400m-patch14-384

const root = mkdtempSync(join(tmpdir(), 'dymu-config-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;

/** A directory holding the given JSON files (objects, or text as published). */
function dirWith(files: Record<string, unknown>): string {
  const dir = join(root, `d${dirs++}`);
  mkdirSync(dir);
  for (const [name, value] of Object.entries(files)) writeFileSync(join(dir, name), typeof value === 'string' ? value : JSON.stringify(value));
  return dir;
}

const CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073];
const CLIP_STD = [0.26862954, 0.26130258, 0.27577711];

describe('readVitConfig', () => {
  it('reads CLIPModel (openai/clip-vit-large-patch14-336): nested vision_config, text tower ignored', () => {
    expect(readVitConfig(CLIP_L_336)).toEqual({
      arch: 'clip', hiddenSize: 1024, intermediateSize: 4096, numLayers: 24, numHeads: 16, patchSize: 14, imageSize: 336,
      numChannels: 3, layerNormEps: 1e-5, hiddenAct: 'quick_gelu', classToken: true, prefix: 'vision_model.',
      source: join(CLIP_L_336, 'config.json'),
    } satisfies VitConfig);
  });

  it('reads SiglipModel (google/siglip-so400m-patch14-384), taking omitted fields from SiglipVisionConfig defaults', () => {
    const c = readVitConfig(SIGLIP_SO400M);
    expect(c).toEqual({
      arch: 'siglip', hiddenSize: 1152, intermediateSize: 4304, numLayers: 27, numHeads: 16, patchSize: 14, imageSize: 384,
      numChannels: 3, layerNormEps: 1e-6, hiddenAct: 'gelu_pytorch_tanh', classToken: false, prefix: 'vision_model.',
      source: join(SIGLIP_SO400M, 'config.json'),
    } satisfies VitConfig);
    expect(numPatches(c)).toBe(27 * 27); // 384 // 14 = 27: the last 6 pixel rows and columns are never seen
  });

  it('reads a flat CLIP vision config (h94/IP-Adapter models/image_encoder, CLIPVisionModelWithProjection)', () => {
    const dir = dirWith({
      'config.json': `{
  "_name_or_path": "./image_encoder",
  "architectures": ["CLIPVisionModelWithProjection"],
  "attention_dropout": 0.0, "dropout": 0.0, "hidden_act": "gelu", "hidden_size": 1280, "image_size": 224,
  "initializer_factor": 1.0, "initializer_range": 0.02, "intermediate_size": 5120, "layer_norm_eps": 1e-05,
  "model_type": "clip_vision_model", "num_attention_heads": 16, "num_channels": 3, "num_hidden_layers": 32,
  "patch_size": 14, "projection_dim": 1024, "torch_dtype": "float16", "transformers_version": "4.28.0.dev0"
}`,
    });
    expect(readVitConfig(dir)).toMatchObject({ arch: 'clip', hiddenSize: 1280, intermediateSize: 5120, numLayers: 32, numHeads: 16, patchSize: 14, imageSize: 224, hiddenAct: 'gelu', classToken: true });
  });

  it('reads a flat SigLIP vision config (SiglipVisionModel.save_pretrained)', () => {
    const dir = dirWith({
      'config.json': {
        architectures: ['SiglipVisionModel'], attention_dropout: 0.0, hidden_act: 'gelu_pytorch_tanh', hidden_size: 768, image_size: 384,
        intermediate_size: 3072, layer_norm_eps: 1e-6, model_type: 'siglip_vision_model', num_attention_heads: 12, num_channels: 3,
        num_hidden_layers: 12, patch_size: 16, torch_dtype: 'float32', transformers_version: '4.37.2',
      },
    });
    expect(readVitConfig(dir)).toMatchObject({ arch: 'siglip', hiddenSize: 768, numLayers: 12, patchSize: 16, imageSize: 384, layerNormEps: 1e-6, classToken: false });
  });

  it('uses the CLIP defaults for omitted fields and lets vision_config_dict override vision_config', () => {
    expect(readVitConfig(dirWith({ 'config.json': { model_type: 'clip', vision_config: { patch_size: 16 } } }))).toMatchObject({
      hiddenSize: 768, intermediateSize: 3072, numLayers: 12, numHeads: 12, numChannels: 3, imageSize: 224, patchSize: 16,
      hiddenAct: 'quick_gelu', layerNormEps: 1e-5,
    });
    expect(readVitConfig(dirWith({ 'config.json': { model_type: 'clip' } }))).toMatchObject({ patchSize: 32, hiddenSize: 768 });
    const both = { model_type: 'clip', vision_config: { image_size: 224, patch_size: 14 }, vision_config_dict: { image_size: 336 } };
    expect(readVitConfig(dirWith({ 'config.json': both }))).toMatchObject({ imageSize: 336, patchSize: 14 });
  });

  it('falls back on "architectures" when model_type is missing', () => {
    expect(readVitConfig(dirWith({ 'config.json': { architectures: ['SiglipVisionModel'], image_size: 256 } }))).toMatchObject({ arch: 'siglip', imageSize: 256, patchSize: 16 });
    expect(readVitConfig(dirWith({ 'config.json': { architectures: ['CLIPModel'], vision_config: { hidden_size: 1024, num_attention_heads: 16 } } }))).toMatchObject({ arch: 'clip', hiddenSize: 1024 });
  });

  it('names the file and the field path in its errors', () => {
    const bad = (config: unknown) => {
      const dir = dirWith({ 'config.json': config });
      return () => readVitConfig(dir);
    };
    const file = () => join(root, `d${dirs - 1}`, 'config.json');
    expect(bad({ model_type: 'llava' })).toThrow(/config\.json: model_type: unsupported model type "llava"/);
    expect(bad({ architectures: ['LlamaForCausalLM'] })).toThrow(`${file()}: model_type: missing, and "architectures" names no CLIP or SigLIP model`);
    expect(bad({ model_type: 'clip', vision_config: { hidden_size: '1024' } })).toThrow(`${file()}: vision_config.hidden_size: expected a positive integer, got "1024"`);
    expect(bad({ model_type: 'siglip', vision_config: { num_hidden_layers: 0 } })).toThrow(`${file()}: vision_config.num_hidden_layers: expected a positive integer, got 0`);
    expect(bad({ model_type: 'clip', vision_config: { hidden_size: 1000 } })).toThrow(`${file()}: vision_config.num_attention_heads: hidden_size 1000 is not divisible by 12 heads`);
    expect(bad({ model_type: 'siglip_vision_model', hidden_act: 'relu' })).toThrow(`${file()}: hidden_act: expected one of quick_gelu, gelu, gelu_pytorch_tanh, gelu_new, got "relu"`);
    expect(bad({ model_type: 'clip_vision_model', image_size: 8, patch_size: 14 })).toThrow(`${file()}: image_size: image_size 8 is smaller than patch_size 14`);
    expect(bad({ model_type: 'siglip', vision_config: [] })).toThrow(`${file()}: vision_config: expected an object`);
    expect(bad({ model_type: 'clip', vision_config: { layer_norm_eps: -1 } })).toThrow(`${file()}: vision_config.layer_norm_eps: expected a positive number, got -1`);
    expect(bad('{"model_type": ')).toThrow(`${file()}: not valid JSON`);
    expect(() => readVitConfig(join(root, 'nowhere'))).toThrow(`${join(root, 'nowhere', 'config.json')}: cannot read`);
  });
});

describe('readPreprocessorConfig', () => {
  const clip336 = readVitConfig(CLIP_L_336);
  const so400m = readVitConfig(SIGLIP_SO400M);
  const clip224: VitConfig = { ...clip336, imageSize: 224 };

  it('reads the old CLIP feature-extractor format (openai/clip-vit-large-patch14-336)', () => {
    expect(readPreprocessorConfig(CLIP_L_336, clip336)).toEqual({
      resizeShortest: 336, centerCrop: { height: 336, width: 336 }, mean: CLIP_MEAN, std: CLIP_STD,
      rescaleFactor: 1 / 255, resample: 3, source: join(CLIP_L_336, 'preprocessor_config.json'),
    });
  });

  it('reads the SigLIP image-processor format (google/siglip-so400m-patch14-384)', () => {
    expect(readPreprocessorConfig(SIGLIP_SO400M, so400m)).toEqual({
      resizeTo: { height: 384, width: 384 }, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5],
      rescaleFactor: 0.00392156862745098, resample: 3, source: join(SIGLIP_SO400M, 'preprocessor_config.json'),
    });
  });

  it('reads the new CLIP image-processor format', () => {
    const dir = dirWith({
      'preprocessor_config.json': {
        crop_size: { height: 224, width: 224 }, do_center_crop: true, do_convert_rgb: true, do_normalize: true, do_rescale: true,
        do_resize: true, image_mean: CLIP_MEAN, image_processor_type: 'CLIPImageProcessor', image_std: CLIP_STD, resample: 2,
        rescale_factor: 0.00392156862745098, size: { shortest_edge: 224 },
      },
    });
    expect(readPreprocessorConfig(dir, clip224)).toMatchObject({
      resizeShortest: 224, centerCrop: { height: 224, width: 224 }, mean: CLIP_MEAN, std: CLIP_STD, rescaleFactor: 0.00392156862745098, resample: 2,
    });
  });

  it('uses the family defaults at the config image size when the file is absent', () => {
    const empty = dirWith({});
    expect(readPreprocessorConfig(empty, clip336)).toEqual({
      resizeShortest: 336, centerCrop: { height: 336, width: 336 }, mean: CLIP_MEAN, std: CLIP_STD, rescaleFactor: 1 / 255, resample: 3, source: 'defaults',
    });
    expect(readPreprocessorConfig(empty, so400m)).toEqual({
      resizeTo: { height: 384, width: 384 }, mean: [0.5, 0.5, 0.5], std: [0.5, 0.5, 0.5], rescaleFactor: 1 / 255, resample: 3, source: 'defaults',
    });
  });

  it('honours do_resize, do_center_crop, do_rescale and do_normalize', () => {
    const off = dirWith({ 'preprocessor_config.json': { do_resize: false, do_center_crop: false, do_rescale: false, do_normalize: false, size: 9, crop_size: 9 } });
    const p = readPreprocessorConfig(off, clip336);
    expect([p.resizeShortest, p.resizeTo, p.centerCrop]).toEqual([undefined, undefined, undefined]);
    expect([p.mean, p.std, p.rescaleFactor]).toEqual([[0, 0, 0], [1, 1, 1], 1]);
  });

  it('reads an integer size as the shortest edge for CLIP and as a square for SigLIP, filling omitted fields', () => {
    const dir = dirWith({ 'preprocessor_config.json': { size: 384 } });
    const siglip = readPreprocessorConfig(dir, so400m);
    expect(siglip).toMatchObject({ resizeTo: { height: 384, width: 384 }, mean: [0.5, 0.5, 0.5], rescaleFactor: 1 / 255 });
    expect([siglip.resizeShortest, siglip.centerCrop]).toEqual([undefined, undefined]);
    expect(readPreprocessorConfig(dir, { ...clip336, imageSize: 384 })).toMatchObject({ resizeShortest: 384, centerCrop: { height: 384, width: 384 }, mean: CLIP_MEAN });
  });

  it('names the file and field in its errors', () => {
    const bad = (json: unknown, config: VitConfig) => {
      const dir = dirWith({ 'preprocessor_config.json': json });
      return () => readPreprocessorConfig(dir, config);
    };
    const file = () => join(root, `d${dirs - 1}`, 'preprocessor_config.json');
    expect(bad({ size: 224, crop_size: 224 }, clip336)).toThrow(`${file()}: crop_size: gives 224x224 images, but ${clip336.source} has image_size 336`);
    expect(bad({ size: { height: 384, width: 512 } }, so400m)).toThrow(`${file()}: size: gives 384x512 images`);
    expect(bad({ size: { longest_edge: 384 } }, so400m)).toThrow(`${file()}: size: expected an integer or {"height": h, "width": w}`);
    expect(bad({ crop_size: { height: 336, width: '336' } }, clip336)).toThrow(`${file()}: crop_size.width: expected a positive integer, got "336"`);
    expect(bad({ image_std: [0.5, 0, 0.5] }, so400m)).toThrow(`${file()}: image_std: expected values above 0`);
    expect(bad({ image_mean: [0.5, 0.5] }, so400m)).toThrow(`${file()}: image_mean: expected 3 numbers`);
    expect(bad({ do_resize: 'yes' }, so400m)).toThrow(`${file()}: do_resize: expected true or false`);
    expect(bad({ resample: 7 }, so400m)).toThrow(`${file()}: resample: expected a PIL resampling filter 0..5, got 7`);
  });
});
