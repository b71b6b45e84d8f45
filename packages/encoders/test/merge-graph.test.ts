// DYMU.md §7 property 3 on the encoder's merge graph: a merged token is the size-weighted mean of
// its members, whatever their order.
import { describe, expect, it } from 'vitest';
import { Rng } from '@dymu/core';
import { SessionPool } from '@dymu/onnx';
import { mergeGraph } from '../src/index.ts';

const [B, T, D, NEW] = [2, 9, 5, 4];

async function merge(hidden: Float32Array, sizes: Float32Array, destination: number[], newSizes: Float32Array): Promise<Float32Array> {
  const session = await new SessionPool({ intraOpThreads: 1 }).get('merge', mergeGraph);
  const scatter = BigInt64Array.from(destination.flatMap((d, i) => [BigInt(Math.floor(i / T)), BigInt(d)]));
  const out = await session.run({
    hidden: { data: hidden, dims: [B, T, D] },
    sizes: { data: sizes, dims: [B, T] },
    scatter_index: { data: scatter, dims: [B, T, 2] },
    new_sizes: { data: newSizes, dims: [B, NEW] },
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
});
