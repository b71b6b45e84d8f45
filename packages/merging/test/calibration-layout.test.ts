// DYMU.md §3b, the official batch layout of the authors' calibration code, point by point on small
// hand-computed batches (the expected destinations, lengths and τ_batch are worked out by hand in
// the comments), next to the compact (§2) layout on the same batches.
import { describe, expect, it } from 'vitest';
import { applyPlanToBookkeeping, type TokenBatch } from '@dymu/core';
import { batchLinks, batchMerge, calibratingPolicy, OFFICIAL_SIZE_OFFSET, type CalibrationLayout } from '../src/index.ts';

/** A batch of the given lengths (padded to the longest) and its matching: per image, A-row a scores `scores[b][a]` into B-token `dst[b][a]`. */
function batch(lengths: number[], scores: number[][], dst: number[][]): { state: TokenBatch; score: Float32Array; index: Int32Array; stride: number } {
  const T = Math.max(...lengths);
  const stride = Math.ceil(T / 2);
  const sizes = new Float32Array(lengths.length * T);
  lengths.forEach((t, b) => sizes.fill(1, b * T, b * T + t));
  const state: TokenBatch = {
    batch: lengths.length,
    tokens: T,
    dim: 0,
    hidden: new Float32Array(0),
    lengths: Int32Array.from(lengths),
    sizes,
    sources: lengths.map((t) => Int32Array.from({ length: t }, (_, i) => i)),
  };
  const score = new Float32Array(lengths.length * stride).fill(0.99); // rows past an image's A-tokens: garbage that must be ignored
  const index = new Int32Array(lengths.length * stride);
  scores.forEach((row, b) => row.forEach((s, a) => ((score[b * stride + a] = s), (index[b * stride + a] = dst[b][a]))));
  return { state, score, index, stride };
}

function step(layout: CalibrationLayout, input: ReturnType<typeof batch>, r: number, classToken: boolean) {
  const { state, score, index, stride } = input;
  const links = batchLinks(state, { block: 0, numBlocks: 1, metric: new Float32Array(0), metricDim: 0, classToken, matching: { score, index, stride } });
  return batchMerge(layout, state, classToken, links, r);
}

const rows = (destination: Int32Array, T: number, lengths: number[]) => lengths.map((t, b) => Array.from(destination.subarray(b * T, b * T + t)));

describe('official calibration layout (DYMU.md §3b)', () => {
  it('1. every image is rewritten [A, B], also one that merges nothing at this block', () => {
    // CLIP-shaped (class token), two images of 5 tokens, r = 1 → R = 2. Scores: image 0 a1 0.9 → b0, a2 0.8 → b1;
    // image 1 a1 0.3 → b1, a2 0.2 → b0. The top 2 are both image 0's; τ_batch = index 2 = 0.3.
    // Image 0: [cls, b0 ← a1, b1 ← a2] → destinations [0, 1, 1, 2, 2]. Image 1 merges nothing:
    // official [A: pos 0, 2, 4 | B: pos 1, 3] → [0, 3, 1, 4, 2]; compact keeps [0, 1, 2, 3, 4].
    const input = batch([5, 5], [[0, 0.9, 0.8], [0, 0.3, 0.2]], [[0, 0, 1], [0, 1, 0]]);
    const official = step('official', input, 1, true)!;
    expect(official.threshold).toBeCloseTo(0.3, 6);
    expect(rows(official.plan!.destination, 5, [5, 5])).toEqual([[0, 1, 1, 2, 2], [0, 3, 1, 4, 2]]);
    expect(Array.from(official.plan!.lengths)).toEqual([3, 5]);
    const compact = step('compact', input, 1, true)!;
    expect(compact.threshold).toBeCloseTo(0.3, 6);
    expect(rows(compact.plan!.destination, 5, [5, 5])).toEqual([[0, 1, 1, 2, 2], [0, 1, 2, 3, 4]]);
    // 2.–3. padding to the end, the batch cut to the longest remaining image (5), sizes carried
    const next = applyPlanToBookkeeping(input.state, official.plan!);
    expect(next.tokens).toBe(5);
    expect(Array.from(next.sizes)).toEqual([1, 2, 2, 0, 0, 1, 1, 1, 1, 1]);
    expect(Array.from(next.sources[1])).toEqual([0, 3, 1, 4, 2]);
  });

  it('1. without a class token (SigLIP-shaped) the unmerged A-tokens stay in position order', () => {
    // One image of 6 tokens: A rows a0 0.5 → b2, a1 0.9 → b0, a2 0.7 → b1; r = 1 → a1 (position 2) merges into b0
    // (position 1); τ_batch = index 1 = 0.7. Official: [A pos 0, A pos 4 | B pos 1, 3, 5] → [0, 2, 2, 3, 1, 4].
    // Compact (ToMe's order without a class token): unmerged A by descending score, pos 4 (0.7) before pos 0 (0.5) → [1, 2, 2, 3, 0, 4].
    const input = batch([6], [[0.5, 0.9, 0.7]], [[2, 0, 1]]);
    const official = step('official', input, 1, false)!;
    expect(official.threshold).toBeCloseTo(0.7, 6);
    expect(rows(official.plan!.destination, 6, [6])).toEqual([[0, 2, 2, 3, 1, 4]]);
    expect(rows(step('compact', input, 1, false)!.plan!.destination, 6, [6])).toEqual([[1, 2, 2, 3, 0, 4]]);
  });

  it('3. the merge divides by size + 1e-4 in the official layout only', () => {
    const input = batch([6], [[0.5, 0.9, 0.7]], [[2, 0, 1]]);
    expect(OFFICIAL_SIZE_OFFSET).toBe(1e-4);
    expect(step('official', input, 1, false)!.plan!.sizeOffset).toBe(1e-4);
    expect(step('compact', input, 1, false)!.plan!.sizeOffset).toBeUndefined();
  });

  it('4.–5. padding rows take part in the split and the ranking as −∞ rows: R past the real links gives τ_batch = 0', () => {
    // Lengths 5 and 3 padded to T = 5: three A rows per image (6 in the list). Image 0: cls, a1 0.8 → b0, a2 0.6 → b1;
    // image 1: cls, a1 0.7 → b0, row 2 is padding (position 4 ≥ 3; its 0.99 must not count). Real links 0.8, 0.7, 0.6.
    const input = batch([5, 3], [[0, 0.8, 0.6], [0, 0.7]], [[0, 0, 1], [0, 0]]);
    // r = 1 → R = 2: 0.8 (image 0), 0.7 (image 1) merge; τ_batch = index 2 = 0.6 (not 0.7, as it would be with the padding row's 0.99).
    const one = step('official', input, 1, true)!;
    expect(one.threshold).toBeCloseTo(0.6, 6);
    // image 0: [cls, a2 (pos 4) | b0 ← a1, b1] → [0, 2, 2, 3, 1]; image 1: [cls | b0 ← a1] → [0, 1, 1]
    expect(rows(one.plan!.destination, 5, [5, 3])).toEqual([[0, 2, 2, 3, 1], [0, 1, 1]]);
    expect(Array.from(one.plan!.lengths)).toEqual([4, 2]);
    // r = 2 (cap floor((5 − 1)/2) = 2 over the padded length) → R = 4, past the 3 real links: index 4 is a −∞ row → τ = 0.
    // Compact takes the last real link instead (0.6). Both merge the 3 real links and nothing else.
    const two = step('official', input, 2, true)!;
    expect(two.threshold).toBe(0);
    expect(Array.from(two.plan!.lengths)).toEqual([3, 2]);
    expect(step('compact', input, 2, true)!.threshold).toBeCloseTo(0.6, 6);
    // r past the padded cap: capped at 2, the same merges
    expect(Array.from(step('official', input, 5, true)!.plan!.lengths)).toEqual([3, 2]);
  });

  it('an R past the end of the list takes its last entry: the last real score without −∞ rows, else 0', () => {
    // SigLIP-shaped, one image of 2 tokens: one A row (0.4), cap 1 → R = 1 = the list's length: its last entry, 0.4.
    expect(step('official', batch([2], [[0.4]], [[0]]), 1, false)!.threshold).toBeCloseTo(0.4, 6);
    // CLIP-shaped, 3 tokens: the list is [0.4, cls −∞]; R = 1 → index 1, the class token's row → 0 (compact: 0.4, the last real link).
    const clip = batch([3], [[0, 0.4]], [[0, 0]]);
    expect(step('official', clip, 1, true)!.threshold).toBe(0);
    expect(step('compact', clip, 1, true)!.threshold).toBeCloseTo(0.4, 6);
    // two images of 3 and 1 tokens: [cls, 0.4, cls, padding] sorted 0.4, −∞, −∞, −∞; R = 2·1 → −∞ → 0, and 0.4 merges
    const two = step('official', batch([3, 1], [[0, 0.4], [0]], [[0, 0], [0]]), 1, true)!;
    expect(two.threshold).toBe(0);
    expect(Array.from(two.plan!.lengths)).toEqual([2, 1]);
  });

  it('a block whose r_i is capped to 0 over the padded length does not merge nor record; compact records its (empty) ranking', () => {
    const recorded: number[] = [];
    const input = batch([1, 1], [[0], [0]], [[0], [0]]);
    const context = { block: 0, numBlocks: 1, metric: new Float32Array(0), metricDim: 0, classToken: true, matching: { score: input.score, index: input.index, stride: input.stride } };
    expect(calibratingPolicy([3], (_, tau) => recorded.push(tau), 'official').plan(input.state, context)).toBeNull();
    expect(recorded).toEqual([]);
    expect(calibratingPolicy([3], (_, tau) => recorded.push(tau), 'compact').plan(input.state, context)).toBeNull();
    expect(recorded).toEqual([0]);
  });
});
