import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { numel } from '@dymu/core';
import { afterAll, describe, expect, it } from 'vitest';
import {
  decodeHalf, encodeHalf, makeVitModel, type MakeModelOptions, type NamedTensor, planVitModel, readPreprocessorConfig,
  readVitConfig, VIT_PRESETS, VitWeights, WeightStore, writeSafetensors,
} from '../src/index.ts';

const root = mkdtempSync(join(tmpdir(), 'dymu-generate-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const make = (opts: Omit<MakeModelOptions, 'out'>) => makeVitModel({ ...opts, out: join(root, `m${dirs++}`) });
const readConfigJson = (dir: string) => JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
const files = (dir: string) => Object.fromEntries(readdirSync(dir).sort().map((f) => [f, readFileSync(join(dir, f)).toString('base64')]));
/** Bitwise equality of float arrays (much faster than a deep toEqual on large arrays). */
const bytes = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');

describe('makeVitModel', () => {
  it('is deterministic: same seed, same bytes; another seed, other weights', () => {
    const a = make({ arch: 'clip-vit', preset: 'tiny', seed: 0 });
    const b = make({ arch: 'clip-vit', preset: 'tiny', seed: 0 });
    const c = make({ arch: 'clip-vit', preset: 'tiny', seed: 1 });
    expect(Object.keys(files(a.dir))).toEqual(['config.json', 'model.safetensors', 'preprocessor_config.json']);
    expect(files(b.dir)).toEqual(files(a.dir));
    expect(files(c.dir)['config.json']).toEqual(files(a.dir)['config.json']);
    expect(files(c.dir)['model.safetensors']).not.toBe(files(a.dir)['model.safetensors']);
    expect(WeightStore.open(c.dir).fingerprint()).toBe(WeightStore.open(a.dir).fingerprint());
  });

  it('writes a CLIPModel checkpoint that loads as a vision tower, vision weights unchanged by the text tower', () => {
    const vision = make({ arch: 'clip-vit', preset: 'tiny', seed: 7 });
    const full = make({ arch: 'clip-vit', preset: 'tiny', seed: 7, withTextTower: true });
    const json = readConfigJson(full.dir);
    expect([json.architectures, json.model_type, json.projection_dim]).toEqual([['CLIPModel'], 'clip', 64]);
    expect(json.vision_config).toEqual({ model_type: 'clip_vision_model', hidden_size: 64, intermediate_size: 256, num_hidden_layers: 4, num_attention_heads: 4, patch_size: 8, image_size: 64 });
    expect(json.text_config.model_type).toBe('clip_text_model');
    expect(readVitConfig(full.dir)).toEqual(full.config);
    expect(full.config).toEqual({ ...vision.config, source: join(full.dir, 'config.json') });

    const store = WeightStore.open(full.dir);
    new VitWeights(store, full.config).checkAll();
    expect(store.info('logit_scale').shape).toEqual([]);
    expect(Array.from(store.get('logit_scale'))).toEqual([Math.fround(2.6592)]);
    expect(store.info('visual_projection.weight').shape).toEqual([64, 64]);
    expect(store.has('text_projection.weight') && store.has('text_model.final_layer_norm.weight') && store.has('text_model.encoder.layers.1.mlp.fc2.bias')).toBe(true);
    expect(store.has('visual_projection.bias')).toBe(false);

    const visionStore = WeightStore.open(vision.dir);
    const visionNames = visionStore.names();
    expect(visionNames.every((n) => n.startsWith('vision_model.'))).toBe(true);
    expect(store.names().filter((n) => n.startsWith('vision_model.'))).toEqual(visionNames);
    for (const name of visionNames) expect(bytes(store.get(name))).toBe(bytes(visionStore.get(name)));
  });

  it('writes a SiglipModel checkpoint with the pooling head, as the Hub has it', () => {
    const full = make({ arch: 'siglip-vit', preset: 'tiny', seed: 3, withTextTower: true });
    const json = readConfigJson(full.dir);
    expect([json.architectures, json.model_type, json.text_config.model_type]).toEqual([['SiglipModel'], 'siglip', 'siglip_text_model']);
    expect(json.vision_config.hidden_act).toBeUndefined(); // a default, omitted as on the Hub
    expect(full.config).toMatchObject({ arch: 'siglip', hiddenAct: 'gelu_pytorch_tanh', layerNormEps: 1e-6, classToken: false });
    const store = WeightStore.open(full.dir);
    new VitWeights(store, full.config).checkAll();
    const shapes = Object.fromEntries(store.names().filter((n) => !n.startsWith('text_model.')).map((n) => [n, store.info(n).shape]));
    expect(shapes).toMatchObject({
      'vision_model.embeddings.patch_embedding.bias': [64],
      'vision_model.embeddings.position_embedding.weight': [64, 64],
      'vision_model.head.probe': [1, 1, 64],
      'vision_model.head.attention.in_proj_weight': [192, 64],
      'vision_model.head.attention.in_proj_bias': [192],
      'vision_model.head.attention.out_proj.weight': [64, 64],
      'vision_model.head.layernorm.bias': [64],
      'vision_model.head.mlp.fc1.weight': [256, 64],
      'vision_model.head.mlp.fc2.weight': [64, 256],
      logit_scale: [1],
      logit_bias: [1],
    });
    expect(store.has('vision_model.embeddings.class_embedding') || store.has('vision_model.pre_layrnorm.weight')).toBe(false);
    expect(store.has('text_model.head.weight')).toBe(true);
  });

  it('writes vision-only models with flat configs and each family\'s preprocessor format', () => {
    const clip = make({ arch: 'clip-vit', preset: 'tiny', seed: 0 });
    const siglip = make({ arch: 'siglip-vit', preset: 'tiny', seed: 0 });
    expect(readConfigJson(clip.dir)).toMatchObject({ architectures: ['CLIPVisionModel'], model_type: 'clip_vision_model', hidden_act: 'quick_gelu', torch_dtype: 'float32' });
    expect(readConfigJson(siglip.dir)).toMatchObject({ architectures: ['SiglipVisionModel'], model_type: 'siglip_vision_model', layer_norm_eps: 1e-6 });
    expect(JSON.parse(readFileSync(join(clip.dir, 'preprocessor_config.json'), 'utf8'))).toMatchObject({ size: 64, crop_size: 64, feature_extractor_type: 'CLIPFeatureExtractor' });
    expect(JSON.parse(readFileSync(join(siglip.dir, 'preprocessor_config.json'), 'utf8'))).toMatchObject({ size: { height: 64, width: 64 }, image_processor_type: 'SiglipImageProcessor' });
    expect(readPreprocessorConfig(clip.dir, clip.config)).toMatchObject({ resizeShortest: 64, centerCrop: { height: 64, width: 64 }, mean: [0.48145466, 0.4578275, 0.40821073] });
    expect(readPreprocessorConfig(siglip.dir, siglip.config)).toMatchObject({ resizeTo: { height: 64, width: 64 }, mean: [0.5, 0.5, 0.5] });
    expect(WeightStore.open(siglip.dir).has('vision_model.head.probe')).toBe(true);
  });

  it('writes F16 shards holding the rounded F32 weights, replacing an earlier single file', () => {
    const f32 = make({ arch: 'siglip-vit', preset: 'tiny', seed: 5 });
    const out = join(root, `m${dirs++}`);
    makeVitModel({ arch: 'siglip-vit', preset: 'tiny', seed: 5, out });
    makeVitModel({ arch: 'siglip-vit', preset: 'tiny', seed: 5, out, dtype: 'F16', maxShardBytes: 100_000 });
    expect(readdirSync(out).filter((f) => f.endsWith('.safetensors')).length).toBeGreaterThan(2);
    expect(readdirSync(out)).not.toContain('model.safetensors');
    expect(readConfigJson(out).torch_dtype).toBe('float16');
    const [a, b] = [WeightStore.open(f32.dir), WeightStore.open(out)];
    expect(b.names()).toEqual(a.names());
    for (const name of a.names()) {
      expect(b.info(name).dtype).toBe('F16');
      expect(bytes(b.get(name))).toBe(bytes(decodeHalf(encodeHalf(a.get(name), 'F16'), 'F16')));
    }
  });

  it('draws weights at the intended scales', () => {
    const { dir, config } = make({ arch: 'clip-vit', preset: 'tiny', seed: 0 });
    const layer = new VitWeights(WeightStore.open(dir), config).layer(2);
    const stats = (a: Float32Array) => {
      const mean = a.reduce((s, v) => s + v, 0) / a.length;
      return { mean, std: Math.sqrt(a.reduce((s, v) => s + (v - mean) ** 2, 0) / a.length) };
    };
    expect(stats(layer.fc1.weight).std).toBeCloseTo(1 / 8, 2); // 1/sqrt(64)
    expect(stats(layer.fc2.weight).std).toBeCloseTo(1 / 16, 2); // 1/sqrt(256)
    expect(stats(layer.ln1.weight).mean).toBeCloseTo(1, 1);
    expect(stats(layer.ln1.weight).std).toBeGreaterThan(0.07);
    expect(stats(layer.ln2.bias).std).toBeGreaterThan(0.03);
  });

  it('refuses unknown presets', () => {
    expect(() => make({ arch: 'clip-vit', preset: 'huge', seed: 0 })).toThrow('unknown clip-vit preset "huge" (expected tiny, base-16, large-14-336)');
  });
});

describe('large presets (planned, not written)', () => {
  const params = (opts: Omit<MakeModelOptions, 'out' | 'seed'>) => planVitModel({ ...opts, seed: 0, out: '/nonexistent' }).tensors.reduce((s, t) => s + numel(t.shape), 0);

  it('have the published ViT shapes', () => {
    expect(VIT_PRESETS['clip-vit']['large-14-336']).toEqual({ hidden_size: 1024, intermediate_size: 4096, num_hidden_layers: 24, num_attention_heads: 16, patch_size: 14, image_size: 336 });
    expect(VIT_PRESETS['siglip-vit']['so400m-14-384']).toEqual({ hidden_size: 1152, intermediate_size: 4304, num_hidden_layers: 27, num_attention_heads: 16, patch_size: 14, image_size: 384 });
    expect(planVitModel({ arch: 'clip-vit', preset: 'base-16', seed: 0, out: '/x' }).config).toMatchObject({ hiddenSize: 768, numLayers: 12, patchSize: 16, imageSize: 224 });
    expect(planVitModel({ arch: 'siglip-vit', preset: 'base-16-384', seed: 0, out: '/x' }).config).toMatchObject({ hiddenSize: 768, numLayers: 12, patchSize: 16, imageSize: 384 });
  });

  it('count the parameters of the real vision towers (CLIP ViT-L/14-336: 303.5M; SigLIP so400m with head: 428.2M)', () => {
    expect(params({ arch: 'clip-vit', preset: 'large-14-336' })).toBe(303_507_456);
    expect(params({ arch: 'siglip-vit', preset: 'so400m-14-384' })).toBe(428_225_600);
  });

  it('write the vision_config the Hub publishes for google/siglip-so400m-patch14-384', () => {
    const hub = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'siglip-so400m-patch14-384', 'config.json'), 'utf8'));
    const plan = planVitModel({ arch: 'siglip-vit', preset: 'so400m-14-384', seed: 0, out: '/x', withTextTower: true });
    expect(plan.hfConfig.vision_config).toEqual(hub.vision_config);
    expect(plan.tensors.find((t) => t.name === 'vision_model.embeddings.position_embedding.weight')?.shape).toEqual([729, 1152]);
  });
});

describe('VitWeights', () => {
  const { dir, config } = make({ arch: 'clip-vit', preset: 'tiny', seed: 11, withTextTower: true });
  const store = WeightStore.open(dir);
  const weights = new VitWeights(store, config);

  it('loads the embeddings, one layer and the final norm under the Hub names', () => {
    const e = weights.embeddings();
    expect(e.patchWeight).toEqual(store.get('vision_model.embeddings.patch_embedding.weight', [64, 3, 8, 8]));
    expect(e.classEmbedding).toEqual(store.get('vision_model.embeddings.class_embedding'));
    expect(e.positionEmbedding.length).toBe(65 * 64);
    expect(e.preLayerNorm?.weight).toEqual(store.get('vision_model.pre_layrnorm.weight'));
    expect(e.patchBias).toBeUndefined();
    const l = weights.layer(3);
    expect(l.k.weight).toEqual(store.get('vision_model.encoder.layers.3.self_attn.k_proj.weight'));
    expect(l.o.bias).toEqual(store.get('vision_model.encoder.layers.3.self_attn.out_proj.bias'));
    expect(l.ln2.bias).toEqual(store.get('vision_model.encoder.layers.3.layer_norm2.bias'));
    expect([l.fc1.outFeatures, l.fc1.inFeatures, l.fc2.outFeatures, l.fc2.inFeatures]).toEqual([256, 64, 64, 256]);
    expect(l.fc2.weight).toEqual(store.get('vision_model.encoder.layers.3.mlp.fc2.weight'));
    expect(l.q.weight).not.toEqual(weights.layer(2).q.weight);
    expect(weights.postLayerNorm().bias).toEqual(store.get('vision_model.post_layernorm.bias'));
    expect(() => weights.layer(4)).toThrow(`${config.source}: num_hidden_layers: layer 4 does not exist (the tower has 4)`);
  });

  it('checkAll names the file and the first missing or mis-shaped tensor', () => {
    const tensors: NamedTensor[] = store.names().map((name) => ({ name, shape: store.info(name).shape, data: store.get(name) }));
    const variant = (edit: (t: NamedTensor[]) => NamedTensor[]) => {
      const out = join(root, `m${dirs++}`);
      mkdirSync(out);
      copyFileSync(join(dir, 'config.json'), join(out, 'config.json'));
      writeSafetensors(join(out, 'model.safetensors'), edit(tensors));
      return () => new VitWeights(WeightStore.open(out), readVitConfig(out)).checkAll();
    };
    const fc1 = 'vision_model.encoder.layers.2.mlp.fc1.weight';
    const missing = variant((ts) => ts.filter((t) => t.name !== fc1));
    expect(missing).toThrow(`${join(root, `m${dirs - 1}`, 'model.safetensors')}: ${fc1}: no such tensor`);
    const transposed = variant((ts) => ts.map((t) => (t.name === fc1 ? { ...t, shape: [64, 256] } : t)));
    expect(transposed).toThrow(`${join(root, `m${dirs - 1}`, 'model.safetensors')}: ${fc1}: expected shape [256, 64], found [64, 256]`);
    const fewerPositions = variant((ts) => ts.map((t) => (t.name.endsWith('position_embedding.weight') && t.name.startsWith('vision') ? { ...t, shape: [64, 64], data: t.data.slice(64) } : t)));
    expect(fewerPositions).toThrow('vision_model.embeddings.position_embedding.weight: expected shape [65, 64], found [64, 64]');
  });
});
