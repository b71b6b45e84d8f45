// DYMU.md §7 property 3 on the encoder's merge graph: a merged token is the size-weighted mean of
// its members, whatever their order.
import { describe, expect, it } from 'vitest';
import { Rng } from '@dymu/core';
import { SessionPool } from '@dymu/onnx';
import { mergeGraph } from '../src/index.ts';

const [B, T, D, NEW] = [2, 9, 5, 4];

async function merge(hidden: Float32Array, sizes: Float32Array, destination: number[], newSizes: Float32Array, sizeOffset = 0): Promise<Float32Array> {
  const session = await new SessionPool({ intraOpThreads: 1 }).get('merge', mergeGraph);
  const scatter = BigInt64Array.from(destination.flatMap((d, i) => [BigInt(Math.floor(i / T)), BigInt(d)]));
  const out = await session.run({
    hidden: { data: hidden, dims: [B, T, D] },
    sizes: { data: sizes, dims: [B, T] },
    scatter_index: { data: scatter, dims: [B, T, 2] },
    new_sizes: { data: newSizes, dims: [B, NEW] },
    size_offset: { data: Float32Array.of(sizeOffset), dims: [1] },
  });
  return out.merged.data as Float32Array;
}

describe('merge graph', () => {
  it('gives each destination the size-weighted mean of its tokens, in any token order', async () => {
    const rng = Rng.stream(1, 'merge-graph');
    const hidden = Float32Array.from({ length: B * T * D }, () => rng.normal());
    const sizes = Float32Array.from({ length: B * T }, () => 1 + rng.int(5));
    const destination = Array.from({ length: B * T }, (_, i) => (i % T < NEW ? i % T : rng.int(NEW)));
    const newSizes = new Float32Array(B * NEW);
    destination.forEach((d, i) => (newSizes[Math.floor(i / T) * NEW + d] += sizes[i]));
    const expected = new Float64Array(B * NEW * D);
    destination.forEach((d, i) => {
      const row = Math.floor(i / T) * NEW + d;
      for (let e = 0; e < D; e++) expected[row * D + e] += (sizes[i] * hidden[i * D + e]) / newSizes[row];
    });
    const merged = await merge(hidden, sizes, destination, newSizes);
    merged.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 5));

    // The same tokens in reverse order within each image.
    const reversed = (i: number) => Math.floor(i / T) * T + (T - 1 - (i % T));
    const permuted = await merge(
      Float32Array.from({ length: B * T * D }, (_, k) => hidden[reversed(Math.floor(k / D)) * D + (k % D)]),
      Float32Array.from({ length: B * T }, (_, i) => sizes[reversed(i)]),
      destination.map((_, i) => destination[reversed(i)]),
      newSizes,
    );
    permuted.forEach((v, i) => expect(v).toBeCloseTo(merged[i], 5));
  });

  it("divides by size + 1e-4 with the official calibration layout's offset (DYMU.md §3b), padding rows staying 0", async () => {
    // image 0: tokens 0, 1 (sizes 1, 3) → destination 0; token 2 (size 2) → 1; the rest padding (size 0) → 0
    // image 1: token 0 (size 1) → 0; nothing reaches destinations 1…3 of image 1 nor 2, 3 of image 0
    const hidden = Float32Array.from({ length: B * T * D }, (_, k) => 1 + (k % 7));
    const sizes = new Float32Array(B * T);
    sizes.set([1, 3, 2], 0);
    sizes[T] = 1;
    const destination = Array.from({ length: B * T }, (_, i) => (i === 2 ? 1 : 0));
    const newSizes = new Float32Array(B * NEW);
    newSizes.set([4, 2], 0);
    newSizes[NEW] = 1;
    const merged = await merge(hidden, sizes, destination, newSizes, 1e-4);
    const h = (token: number, e: number) => hidden[token * D + e];
    for (let e = 0; e < D; e++) {
      // hand-computed: sum of size·h over the members, divided by (summed size + 1e-4)
      expect(merged[e]).toBeCloseTo((1 * h(0, e) + 3 * h(1, e)) / 4.0001, 5);
      expect(merged[D + e]).toBeCloseTo((2 * h(2, e)) / 2.0001, 5);
      expect(merged[NEW * D + e]).toBeCloseTo(h(T, e) / 1.0001, 5);
      expect(merged[NEW * D + e]).not.toBe(h(T, e)); // the offset is applied to a lone token too
      expect(merged[2 * D + e]).toBe(0);
      expect(merged[(NEW + 3) * D + e]).toBe(0);
    }
  });
});
