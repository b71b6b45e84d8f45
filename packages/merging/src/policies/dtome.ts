import type { MergePolicy } from '@dymu/core';
import { bipartitePlan } from '../bipartite-plan.ts';
import { batchLinks, countAbove } from '../links.ts';

/** Inclusive range of blocks allowed to merge. */
export interface BlockRange {
  readonly first: number;
  readonly last: number;
}

/**
 * DToMe: at block i every image merges all its links scoring strictly above τ_i (capped), so simple
 * images lose more tokens. A null threshold (a block whose r_i is 0 in the calibration schedule)
 * or a block outside `range` never merges; τ = +∞ never merges either.
 */
export function dtomePolicy(thresholds: readonly (number | null)[], range?: BlockRange): MergePolicy {
  return {
    name: range ? 'dtome-range' : 'dtome',
    usesMatching: true,
    plan(state, context) {
      const threshold = thresholds[context.block] ?? null;
      const inRange = !range || (context.block >= range.first && context.block <= range.last);
      if (threshold === null || !inRange || !context.matching) return null;
      const links = batchLinks(state, context);
      return bipartitePlan(state, context.classToken, links, links.map((l) => countAbove(l, threshold)));
    },
  };
}
