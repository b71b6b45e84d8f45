import type { MergePlan, TokenBatch } from '@dymu/core';
import { bipartitePlan, rewriteImage } from '../bipartite-plan.ts';
import { type Links, mergeCap } from '../links.ts';
import { batchThreshold } from './batch-threshold.ts';

/**
 * How a calibration batch lays its tokens out for the later blocks of the same forward:
 * `official` is the authors' batch code (DYMU.md §3b, the default of the paper's calibration
 * files), `compact` the per-image rule of §2 (each image planned on its own rows, as at inference).
 */
export const CALIBRATION_LAYOUTS = ['official', 'compact'] as const;
export type CalibrationLayout = (typeof CALIBRATION_LAYOUTS)[number];

/** The official layout divides the size-weighted sums by `size + 1e-4` (the authors' epsilon). */
export const OFFICIAL_SIZE_OFFSET = 1e-4;

/** One merging block of a calibration batch: τ_batch and the plan (null: the tokens stay as they are). */
export interface BatchMerge {
  readonly threshold: number;
  readonly plan: MergePlan | null;
}

/**
 * One merging block of a calibration batch with r_i merges per image, in either layout: the batch's
 * links ranked together (`batchThreshold`), τ_batch, and the plan. Undefined when the block cannot
 * merge (official: r_i capped at floor((T − protected)/2) over the padded length T is 0).
 *
 * compact: R = B·r_i, each image merges its share capped at floor((t − protected)/2) (DYMU.md §2
 * order; an image that merges nothing keeps its order).
 * official (§3b): R = B·min(r_i, floor((T − protected)/2)); the ranking runs over the padded
 * batch's B·ceil(T/2) A rows, −∞ rows included; every image, also one that merges nothing, becomes
 * [class, unmerged A in position order, B in order] then padding (the stable order), each image
 * merging exactly its share of the top R; hidden states are the sums divided by size + 1e-4.
 */
export function batchMerge(layout: CalibrationLayout, state: TokenBatch, classToken: boolean, links: readonly Links[], r: number): BatchMerge | undefined {
  if (layout === 'compact') {
    const { threshold, counts } = batchThreshold(links, state.batch * r);
    return { threshold, plan: bipartitePlan(state, classToken, links, counts) };
  }
  const capped = Math.min(r, mergeCap(state.tokens, classToken));
  if (capped <= 0) return undefined;
  const { threshold, counts } = batchThreshold(links, state.batch * capped, state.batch * Math.ceil(state.tokens / 2));
  return { threshold, plan: officialLayoutPlan(state, links, counts) };
}

/**
 * DYMU.md §3b points 1–3 over the token bookkeeping: image b merges its `counts[b]` best links
 * (no per-image cap: only real A-tokens are links), every image is rewritten as [unmerged A in
 * position order, B in order], padding after; the merge divides by size + 1e-4.
 */
export function officialLayoutPlan(state: TokenBatch, links: readonly Links[], counts: ArrayLike<number>): MergePlan {
  const T = state.tokens;
  const lengths = new Int32Array(state.batch);
  const destination = new Int32Array(state.batch * T);
  for (let b = 0; b < state.batch; b++) {
    lengths[b] = rewriteImage(destination.subarray(b * T, b * T + state.lengths[b]), state.lengths[b], links[b], counts[b], true);
  }
  return { lengths, destination, sizeOffset: OFFICIAL_SIZE_OFFSET };
}
