import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { maxAbsDiff, sha256 } from '@dymu/core';
import { makeVitModel, readPreprocessorConfig } from '@dymu/weights';
import { LLAVA_FEATURES, preprocessBatch, VitEncoder } from '../src/index.ts';

// Golden outputs of the independent float64 PyTorch reference (tools/golden/vit_reference.py),
// produced by tools/golden/make-vit-golden.ts for the generated tiny towers on two photos.
interface Golden {
  generator: { arch: 'clip-vit' | 'siglip-vit'; preset: string; seed: number };
  images: string[];
  weightsSha256: string;
  pixelsSha256: string;
  hidden_states: Encoded[];
  keys_mean: Encoded[];
  last_hidden_state: Encoded;
}
interface Encoded {
  shape: number[];
  data_b64: string;
}

const decode = (e: Encoded) => new Float32Array(new Uint8Array(Buffer.from(e.data_b64, 'base64')).buffer);
const root = join(import.meta.dirname, '..', '..', '..');
const bytes = (a: Float32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

describe.each(['clip', 'siglip'])('%s tiny tower vs the PyTorch reference', (name) => {
  const golden: Golden = JSON.parse(readFileSync(join(import.meta.dirname, 'golden', `vit-${name}-tiny.json`), 'utf8'));

  it('matches every hidden state, the head-averaged keys and the last hidden state to 1e-4', async () => {
    const { dir, config } = makeVitModel({ ...golden.generator, out: mkdtempSync(join(tmpdir(), `parity-${name}-`)) });
    expect(sha256(readFileSync(join(dir, 'model.safetensors'))), 'generated weights changed: rerun tools/golden/make-vit-golden.ts').toBe(golden.weightsSha256);
    const images = golden.images.map((f) => join(root, 'assets', 'images', f));
    const { pixels } = await preprocessBatch(images, readPreprocessorConfig(dir, config));
    expect(sha256(bytes(pixels)), 'preprocessing changed: rerun tools/golden/make-vit-golden.ts').toBe(golden.pixelsSha256);

    const encoder = await VitEncoder.load(dir, { features: { layer: -1, postLayerNorm: config.arch === 'siglip', dropClassToken: false } });
    const hidden: Float32Array[] = [];
    const keys: Float32Array[] = [];
    const [first, second] = await encoder.encodePixels(pixels, images.length, {
      observe: ({ stage, state, metric }) => (stage === 'attention' ? keys.push(metric!) : hidden.push(state.hidden)),
    });

    expect(keys).toHaveLength(config.numLayers);
    for (let i = 0; i < config.numLayers; i++) {
      expect(maxAbsDiff(hidden[i], decode(golden.hidden_states[i + 1])), `hidden state ${i + 1}`).toBeLessThan(1e-4);
      expect(maxAbsDiff(keys[i], decode(golden.keys_mean[i])), `keys of block ${i}`).toBeLessThan(1e-4);
    }
    const last = decode(golden.last_hidden_state);
    const tokens = golden.last_hidden_state.shape[1];
    expect(first.count).toBe(tokens);
    expect(maxAbsDiff(first.tokens, last.subarray(0, first.tokens.length)), 'last hidden state, image 0').toBeLessThan(1e-4);
    expect(maxAbsDiff(second.tokens, last.subarray(first.tokens.length)), 'last hidden state, image 1').toBeLessThan(1e-4);
    expect(Array.from(first.sizes).every((s) => s === 1)).toBe(true);
    expect(Array.from(first.source)).toEqual(Array.from({ length: tokens }, (_, i) => i));

    // LLaVA's features: hidden_states[-2] (blocks after it never run), class token dropped.
    const llava = await VitEncoder.load(dir, { features: LLAVA_FEATURES, pool: encoder.pool });
    expect(llava.blocks).toBe(config.numLayers - 1);
    const penultimate = golden.hidden_states[config.numLayers - 1];
    const [T, D] = penultimate.shape.slice(1);
    const skip = config.classToken ? 1 : 0;
    const features = await llava.encodePixels(pixels, images.length);
    features.forEach((f, b) => {
      expect(f.count).toBe(T - skip);
      expect(f.countWithClassToken).toBe(T);
      expect(maxAbsDiff(f.tokens, decode(penultimate).subarray((b * T + skip) * D, (b + 1) * T * D)), `LLaVA features, image ${b}`).toBeLessThan(1e-4);
      expect(Array.from(f.source)).toEqual(Array.from({ length: T - skip }, (_, i) => i));
    });
    await encoder.pool.release();
  });
});
