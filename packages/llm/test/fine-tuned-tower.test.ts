import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { anyresViews, LLAVA_FEATURES, VitEncoder } from '@dymu/encoders';
import { SessionPool } from '@dymu/onnx';
import { makeVlmModel, readVitConfig, WeightStore, writeSafetensors } from '@dymu/weights';
import { Vlm } from '../src/index.ts';

const IMAGE = join(import.meta.dirname, '../../../assets/images/chelsea.jpg');
const root = mkdtempSync(join(tmpdir(), 'dymu-fine-tuned-tower-'));
const pool = new SessionPool();
afterAll(async () => {
  await pool.release();
  rmSync(root, { recursive: true, force: true });
});

const CHECKPOINT_TOWER = 'model.vision_tower.vision_tower.vision_model.';

/**
 * An independent reference: a plain tower directory holding the checkpoint's tower tensors under a
 * SiglipVisionModel's names, with the tower directory's config cut to the blocks they cover.
 */
function towerFromCheckpoint(checkpoint: string, towerDir: string, out: string): string {
  const store = WeightStore.open(checkpoint);
  const names = store.names().filter((n) => n.startsWith(CHECKPOINT_TOWER));
  const blocks = new Set(names.flatMap((n) => /encoder\.layers\.(\d+)\./.exec(n)?.[1] ?? [])).size;
  mkdirSync(out, { recursive: true });
  const config = JSON.parse(readFileSync(join(towerDir, 'config.json'), 'utf8'));
  writeFileSync(join(out, 'config.json'), JSON.stringify({ ...config, num_hidden_layers: blocks }));
  copyFileSync(join(towerDir, 'preprocessor_config.json'), join(out, 'preprocessor_config.json'));
  writeSafetensors(join(out, 'model.safetensors'), names.map((n) => ({ name: `vision_model.${n.slice(CHECKPOINT_TOWER.length)}`, shape: store.info(n).shape, data: () => store.get(n) })));
  return out;
}

const encode = async (encoder: VitEncoder) => (await encoder.encode([IMAGE], { pad: 'none' }))[0].tokens;

describe('a LLaVA checkpoint that holds its fine-tuned vision tower', () => {
  const original = makeVlmModel({ family: 'qwen2', preset: 'tiny', seed: 5, out: join(root, 'ov'), fineTunedTower: true }).dir;
  const towerDir = join(original, 'vision_tower');

  it("OneVision in the original layout: config from mm_vision_tower's directory, weights the checkpoint's (its blocks, SigLIP's last dropped)", async () => {
    const vlm = await Vlm.load(original, { pool });
    expect(vlm.encoder.tower).toMatchObject({ configDir: towerDir, weightsDir: original, fromCheckpoint: true, configuredLayers: 4 });
    expect(vlm.encoder.config).toMatchObject({ numLayers: 3, prefix: CHECKPOINT_TOWER, source: join(towerDir, 'config.json') });
    // mm_vision_select_layer −2 of the configured 4-block tower: 3 blocks, all the checkpoint holds
    expect(vlm.encoder.blocks).toBe(3);

    const reference = await VitEncoder.load(towerFromCheckpoint(original, towerDir, join(root, 'ov-reference')), { pool, features: { ...LLAVA_FEATURES, layer: -1 } });
    const directory = await VitEncoder.load(towerDir, { pool, features: LLAVA_FEATURES });
    const features = await encode(vlm.encoder);
    expect(features).toEqual(await encode(reference));
    expect(features).not.toEqual(await encode(directory));
    // the image features the LLM gets (AnyRes's base view and crops) are the reference tower's
    const [{ parts }] = await vlm.encodeImages([IMAGE]);
    const views = await anyresViews(IMAGE, reference.preprocessing, vlm.anyres!.spec);
    expect(parts.length).toBe(views.views);
    expect(parts.map((p) => p.tokens)).toEqual((await reference.encodePixels(views.pixels, views.views)).map((e) => e.tokens));
  });

  it('llava-hf converted from it carries the same tower: 3 blocks in vision_config, vision_feature_layer −1, the same features', async () => {
    const hf = makeVlmModel({ family: 'qwen2', preset: 'tiny', seed: 5, out: join(root, 'ov-hf'), fineTunedTower: true, layout: 'llava-hf' }).dir;
    expect(readVitConfig(hf).numLayers).toBe(3);
    expect(JSON.parse(readFileSync(join(hf, 'config.json'), 'utf8')).vision_feature_layer).toBe(-1);
    const [vlm, originalVlm] = [await Vlm.load(hf, { pool }), await Vlm.load(original, { pool })];
    expect(vlm.encoder.tower).toMatchObject({ configDir: hf, weightsDir: hf, fromCheckpoint: true, configuredLayers: 3 });
    expect(await encode(vlm.encoder)).toEqual(await encode(originalVlm.encoder));
  });

  it("llava-hf's −1 paired with a tower config of more blocks than the checkpoint holds is an error naming vision_feature_layer", async () => {
    const hf = join(root, 'ov-hf');
    await expect(Vlm.load(hf, { pool, visionTower: towerDir })).rejects.toThrow(
      new RegExp(`${join(hf, 'config.json')}: vision_feature_layer: -1 takes the output of block 4 of the 4-block tower .*, but ${hf} holds only the first 3`),
    );
  });

  it("a tower config whose shapes differ from the checkpoint's tower is an error naming the tensor", async () => {
    const bad = join(root, 'bad-tower');
    mkdirSync(bad, { recursive: true });
    const config = JSON.parse(readFileSync(join(towerDir, 'config.json'), 'utf8'));
    writeFileSync(join(bad, 'config.json'), JSON.stringify({ ...config, intermediate_size: config.intermediate_size * 2 }));
    await expect(Vlm.load(original, { pool, visionTower: bad })).rejects.toThrow(
      `${CHECKPOINT_TOWER}encoder.layers.0.mlp.fc1.weight: expected shape [512, 64], found [256, 64] (the checkpoint's vision tower does not fit the tower config ${join(bad, 'config.json')})`,
    );
  });

  it('LLaVA-1.5, whose checkpoint holds no tower: the tower directory as it is', async () => {
    const llava = makeVlmModel({ family: 'llama', preset: 'tiny', seed: 5, out: join(root, 'llava15') }).dir;
    const vlm = await Vlm.load(llava, { pool });
    expect(vlm.encoder.tower).toMatchObject({ configDir: join(llava, 'vision_tower'), weightsDir: join(llava, 'vision_tower'), fromCheckpoint: false, configuredLayers: 4 });
    expect(vlm.encoder.config.numLayers).toBe(4);
    const directory = await VitEncoder.load(join(llava, 'vision_tower'), { pool, features: LLAVA_FEATURES });
    expect(await encode(vlm.encoder)).toEqual(await encode(directory));
  });
});
