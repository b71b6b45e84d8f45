import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { maxAbsDiff, type MergePolicy } from '@dymu/core';
import { SessionPool } from '@dymu/onnx';
import { makeVitModel, WeightStore, writeSafetensors } from '@dymu/weights';
import { LLAVA_FEATURES, VitEncoder } from '../src/index.ts';

const images = ['astronaut.jpg', 'coffee.jpg', 'chelsea.jpg'].map((f) => join(import.meta.dirname, '..', '..', '..', 'assets', 'images', f));
const tmp = (name: string) => mkdtempSync(join(tmpdir(), `encoder-${name}-`));
const pool = new SessionPool();
afterAll(() => pool.release());

describe('VitEncoder on checkpoints in the layouts the Hub publishes', () => {
  const plain = makeVitModel({ arch: 'clip-vit', preset: 'tiny', seed: 3, out: tmp('plain') }).dir;

  it('reads a full CLIPModel (text tower, sharded) exactly like the vision-only model', async () => {
    const full = makeVitModel({ arch: 'clip-vit', preset: 'tiny', seed: 3, out: tmp('full'), withTextTower: true, maxShardBytes: 200_000 }).dir;
    const [a, b] = await Promise.all([plain, full].map(async (dir) => (await VitEncoder.load(dir, { pool, features: LLAVA_FEATURES })).encode(images)));
    a.forEach((image, i) => expect(maxAbsDiff(image.tokens, b[i].tokens)).toBe(0));
  });

  it('reads BF16 and F16 weights (close to float32, not equal)', async () => {
    const reference = await (await VitEncoder.load(plain, { pool })).encode(images.slice(0, 1));
    for (const dtype of ['BF16', 'F16'] as const) {
      const dir = makeVitModel({ arch: 'siglip-vit', preset: 'tiny', seed: 3, out: tmp(dtype), dtype }).dir;
      const f32 = makeVitModel({ arch: 'siglip-vit', preset: 'tiny', seed: 3, out: tmp(`${dtype}-f32`) }).dir;
      const [half] = await (await VitEncoder.load(dir, { pool })).encode(images.slice(0, 1));
      const [full] = await (await VitEncoder.load(f32, { pool })).encode(images.slice(0, 1));
      const diff = maxAbsDiff(half.tokens, full.tokens);
      expect(diff).toBeGreaterThan(0);
      expect(diff).toBeLessThan(dtype === 'BF16' ? 0.2 : 0.02);
    }
    expect(reference[0].count).toBe(64);
  });

  it('names the file and the tensor when a weight is missing or mis-shaped', async () => {
    const dir = makeVitModel({ arch: 'clip-vit', preset: 'tiny', seed: 1, out: tmp('broken') }).dir;
    const store = WeightStore.open(dir);
    const keep = store.names().filter((n) => n !== 'vision_model.encoder.layers.2.mlp.fc1.weight');
    const tensors = keep.map((name) => ({ name, shape: store.info(name).shape, data: store.get(name) }));
    writeSafetensors(join(dir, 'model.safetensors'), tensors);
    await expect(VitEncoder.load(dir, { pool })).rejects.toThrow(/model\.safetensors.*vision_model\.encoder\.layers\.2\.mlp\.fc1\.weight/);

    const wrong = tensors.map((t) => (t.name === 'vision_model.post_layernorm.weight' ? { ...t, shape: [2, 32] } : t));
    writeSafetensors(join(dir, 'model.safetensors'), wrong);
    await expect(VitEncoder.load(dir, { pool })).rejects.toThrow(/vision_model\.(encoder\.layers\.2\.mlp\.fc1\.weight|post_layernorm\.weight)/);
  });
});

describe('VitEncoder batches', () => {
  it('gives each image of a batch what it gets alone', async () => {
    const dir = makeVitModel({ arch: 'clip-vit', preset: 'tiny', seed: 5, out: tmp('batch') }).dir;
    const encoder = await VitEncoder.load(dir, { pool });
    const batched = await encoder.encode(images);
    for (let i = 0; i < images.length; i++) {
      const [alone] = await encoder.encode([images[i]]);
      expect(maxAbsDiff(alone.tokens, batched[i].tokens)).toBeLessThan(1e-5);
    }
  });

  it('runs blocks on a single token (the matching has no odd position to pick)', async () => {
    const dir = makeVitModel({ arch: 'siglip-vit', preset: 'tiny', seed: 5, out: tmp('one') }).dir;
    const encoder = await VitEncoder.load(dir, { pool });
    const toOne: MergePolicy = {
      name: 'all-into-one',
      usesMatching: true,
      plan: (state, context) => {
        expect(context.matching?.stride).toBe(Math.ceil(state.tokens / 2));
        return context.block === 0 ? { lengths: Int32Array.from([1]), destination: new Int32Array(state.tokens) } : null;
      },
    };
    const [one] = await encoder.encode(images.slice(0, 1), { policy: toOne });
    expect(one.blockCounts).toEqual([1, 1, 1]);
    expect(Array.from(one.sizes)).toEqual([64]);
    expect(one.tokens.every(Number.isFinite)).toBe(true);
  });

  it('rejects a broken image naming its path', async () => {
    const dir = makeVitModel({ arch: 'siglip-vit', preset: 'tiny', seed: 5, out: tmp('bad') }).dir;
    const bad = join(tmp('img'), 'truncated.jpg');
    writeFileSync(bad, Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a]));
    const encoder = await VitEncoder.load(dir, { pool });
    await expect(encoder.encode([images[0], bad])).rejects.toThrow(bad);
  });

  it('rejects a hidden-state index outside the model', async () => {
    const dir = makeVitModel({ arch: 'clip-vit', preset: 'tiny', seed: 5, out: tmp('layer') }).dir;
    await expect(VitEncoder.load(dir, { pool, features: { layer: 7, postLayerNorm: false, dropClassToken: false } })).rejects.toThrow(/features\.layer/);
  });
});
