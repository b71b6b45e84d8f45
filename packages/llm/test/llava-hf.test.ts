import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SessionPool } from '@dymu/onnx';
import { type LlmFamily, makeVlmModel, readLlavaConfig, readVitConfig, WeightStore } from '@dymu/weights';
import { Vlm } from '../src/index.ts';

const IMAGE = join(import.meta.dirname, '../../../assets/images/chelsea.jpg');
const root = mkdtempSync(join(tmpdir(), 'dymu-llava-hf-'));
const pool = new SessionPool();
afterAll(async () => {
  await pool.release();
  rmSync(root, { recursive: true, force: true });
});

const families: LlmFamily[] = ['llama', 'qwen2'];

describe.each(families)('%s VLM in the llava-hf layouts', (family) => {
  it('reads the Hub names and transformers ≥ 4.52 names to the same config, tensors, logits and answer as the original layout', async () => {
    const layouts = ['original', 'llava-hf', 'llava-hf-4.52'] as const;
    const dirs = layouts.map((layout) => makeVlmModel({ family, preset: 'tiny', seed: 4, out: join(root, `${family}-${layout}`), layout }).dir);
    const [original, hub, modern] = dirs.map((dir) => WeightStore.open(dir));
    expect(hub.source).toBe(join(dirs[1], 'model.safetensors'));
    expect(hub.has(family === 'llama' ? 'language_model.model.embed_tokens.weight' : 'image_newline')).toBe(false);
    expect(hub.info('model.layers.1.mlp.up_proj.weight').name).toBe('language_model.model.layers.1.mlp.up_proj.weight');
    expect(modern.info('model.layers.1.mlp.up_proj.weight').name).toBe('model.language_model.layers.1.mlp.up_proj.weight');
    expect(hub.info('lm_head.weight').name).toBe('language_model.lm_head.weight');
    expect(modern.info('lm_head.weight').name).toBe('lm_head.weight');
    expect(hub.info('model.mm_projector.2.bias').name).toBe('multi_modal_projector.linear_2.bias');
    expect(modern.info('vision_model.post_layernorm.weight').name).toBe('model.vision_tower.vision_model.post_layernorm.weight');
    for (const store of [hub, modern]) {
      // Everything of the original checkpoint is there under its original name, with the same values.
      for (const name of original.names()) expect(store.get(name), name).toEqual(original.get(name));
    }

    const configs = dirs.map((dir) => readLlavaConfig(dir));
    const { source: _, ...expected } = { ...configs[0], llm: { ...configs[0].llm, source: '' }, visionTower: '.' };
    for (const config of configs.slice(1)) {
      const { source: __, ...got } = { ...config, llm: { ...config.llm, source: '' } };
      // The hf config asks for the same tower output: 'default' drops CLIP's class token, 'full' keeps SigLIP's patches.
      expect(got).toEqual({ ...expected, selectFeature: family === 'llama' ? 'patch' : 'cls_patch' });
    }
    expect(readVitConfig(dirs[1])).toEqual({ ...readVitConfig(join(dirs[0], 'vision_tower')), source: join(dirs[1], 'config.json') });

    const vlms = [];
    for (const dir of dirs) vlms.push(await Vlm.load(dir, { pool }));
    const prompt = vlms[0].template.prompt('What is in the image?', 1);
    const logits = [];
    for (const vlm of vlms) {
      const encoded = await vlm.encodeImages([IMAGE]);
      const input = await vlm.prepare(prompt, encoded.map((e) => e.parts), true, encoded.map((e) => e.layout));
      logits.push(await vlm.decoder.nextLogits(await vlm.decoder.forward([input])));
    }
    expect(logits[1]).toEqual(logits[0]);
    expect(logits[2]).toEqual(logits[0]);
    const answers = await Promise.all(vlms.map((vlm) => vlm.ask([IMAGE], 'What is in the image?', { maxNewTokens: 4 })));
    expect(answers[0].tokens.length).toBeGreaterThan(0);
    for (const answer of answers.slice(1)) expect({ ...answer, timings: undefined }).toEqual({ ...answers[0], timings: undefined });
  });
});
