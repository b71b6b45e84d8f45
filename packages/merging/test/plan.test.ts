import { describe, expect, it } from 'vitest';
import { applyPlanToBookkeeping, initialTokenBatch, type BlockContext, type TokenBatch } from '@dymu/core';
import { attentionBias, batchLinks, bipartitePlan, dtomePolicy, links, mergeCap, tomePolicy } from '../src/index.ts';

/** A padded batch whose image b has lengths[b] tokens, and the matching given per image as [score, index] rows. */
function batchOf(lengths: number[], rows: [number, number][][], classToken: boolean, block = 0): { state: TokenBatch; context: BlockContext } {
  const T = Math.max(...lengths);
  const stride = Math.ceil(T / 2);
  const base = initialTokenBatch(new Float32Array(0), lengths.length, T, 0);
  const sizes = new Float32Array(lengths.length * T);
  lengths.forEach((n, b) => sizes.fill(1, b * T, b * T + n));
  const state: TokenBatch = { ...base, lengths: Int32Array.from(lengths), sizes, sources: lengths.map((n) => Int32Array.from({ length: n }, (_, i) => i)) };
  const score = new Float32Array(lengths.length * stride).fill(-Infinity);
  const index = new Int32Array(lengths.length * stride);
  rows.forEach((image, b) => image.forEach(([s, j], a) => ((score[b * stride + a] = s), (index[b * stride + a] = j))));
  return { state, context: { block, numBlocks: 4, metric: new Float32Array(0), metricDim: 0, classToken, matching: { score, index, stride } } };
}

// 7 tokens: A = positions 0, 2, 4, 6 (rows 0–3), B = positions 1, 3, 5.
const ROWS: [number, number][] = [[0.2, 0], [0.9, 2], [0.5, 0], [0.95, 1]];

describe('bipartite plan (DYMU.md §2)', () => {
  it('with a class token: merges the k best links, unmerged A ascending (class token first), then B', () => {
    const { state, context } = batchOf([7], [ROWS], true);
    const plan = bipartitePlan(state, true, batchLinks(state, context), [2])!;
    // Unmerged rows 0, 2 (positions 0, 4) → 0, 1; B positions 1, 3, 5 → 2, 3, 4; row 3 (pos 6) → B 1 = 3; row 1 (pos 2) → B 2 = 4.
    expect(Array.from(plan.destination)).toEqual([0, 2, 4, 3, 1, 4, 3]);
    expect(Array.from(plan.lengths)).toEqual([5]);
  });

  it('without a class token: unmerged A in descending score order (as ToMe), then B', () => {
    const { state, context } = batchOf([7], [ROWS], false);
    const plan = bipartitePlan(state, false, batchLinks(state, context), [2])!;
    // Unmerged rows by score: 2 (0.5), 0 (0.2) → positions 4 → 0, 0 → 1.
    expect(Array.from(plan.destination)).toEqual([1, 2, 4, 3, 0, 4, 3]);
  });

  it('ties keep position order (stable sort), and argmax ties are the encoder’s first index', () => {
    const l = links(Float32Array.from([0.5, 0.7, 0.7, 0.5]), Int32Array.from([0, 0, 0, 0]), false);
    expect(Array.from(l.order)).toEqual([1, 2, 0, 3]);
  });

  it('caps k at floor((t − protected)/2) and never merges the class token', () => {
    expect([mergeCap(7, true), mergeCap(7, false), mergeCap(8, true), mergeCap(8, false), mergeCap(1, true)]).toEqual([3, 3, 3, 4, 0]);
    const { state, context } = batchOf([7], [ROWS], true);
    const plan = bipartitePlan(state, true, batchLinks(state, context), [100])!;
    expect(plan.lengths[0]).toBe(4);
    expect(plan.destination[0]).toBe(0);
    expect(new Set(plan.destination).size).toBe(4);
  });

  it('an image with nothing to merge keeps its order; a batch with nothing to merge gives null', () => {
    const { state, context } = batchOf([7, 5], [ROWS, [[0.3, 0], [0.99, 1], [0.1, 1]]], false);
    const plan = bipartitePlan(state, false, batchLinks(state, context), [0, 1])!;
    expect(Array.from(plan.destination.subarray(0, 7))).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(Array.from(plan.lengths)).toEqual([7, 4]);
    expect(bipartitePlan(state, false, batchLinks(state, context), [0, 0])).toBeNull();
  });

  it('padded images of different lengths are planned independently, and bookkeeping conserves patches', () => {
    const { state, context } = batchOf([7, 5], [ROWS, [[0.3, 0], [0.99, 1], [0.1, 1]]], true);
    const plan = tomePolicy([2]).plan(state, context)!;
    const next = applyPlanToBookkeeping(state, plan);
    expect(Array.from(next.lengths)).toEqual([5, 3]);
    expect(next.tokens).toBe(5);
    next.sources.forEach((source, b) => {
      const held = new Array<number>(next.lengths[b]).fill(0);
      source.forEach((t) => held[t]++);
      expect(Array.from(next.sizes.subarray(b * 5, b * 5 + next.lengths[b]))).toEqual(held);
    });
    // Image 1: both A-tokens (positions 2, 4) merge into position 3: sizes 1, 1, 3, then padding.
    expect(Array.from(attentionBias({ ...next, hidden: new Float32Array(0) }).subarray(5))).toEqual([0, 0, Math.fround(Math.log(3)), -Infinity, -Infinity]);
  });
});

describe('ToMe and DToMe policies', () => {
  it('DToMe merges the links strictly above τ', () => {
    const { state, context } = batchOf([7], [ROWS], false);
    expect(dtomePolicy([0.9]).plan(state, context)!.lengths[0]).toBe(6);
    expect(dtomePolicy([0.5]).plan(state, context)!.lengths[0]).toBe(5);
    expect(dtomePolicy([0.49]).plan(state, context)!.lengths[0]).toBe(4);
  });

  it('τ = +∞, a null τ, r = 0, or a block outside the range never merge', () => {
    const { state, context } = batchOf([7], [ROWS], false);
    expect(dtomePolicy([Infinity]).plan(state, context)).toBeNull();
    expect(dtomePolicy([null]).plan(state, context)).toBeNull();
    expect(tomePolicy([0]).plan(state, context)).toBeNull();
    expect(dtomePolicy([0], { first: 1, last: 3 }).plan(state, context)).toBeNull();
    expect(dtomePolicy([0], { first: 0, last: 0 }).plan(state, context)).not.toBeNull();
  });

  it('ToMe merges r per image whatever the scores', () => {
    const { state, context } = batchOf([7, 7], [ROWS, ROWS.map(([, j]) => [-0.5, j] as [number, number])], true);
    expect(Array.from(tomePolicy([2]).plan(state, context)!.lengths)).toEqual([5, 5]);
  });
});
