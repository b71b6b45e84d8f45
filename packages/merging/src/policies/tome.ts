import type { MergePolicy } from '@dymu/core';
import { bipartitePlan } from '../bipartite-plan.ts';
import { batchLinks } from '../links.ts';

/** ToMe: every image merges its r_i best links at block i (capped), r from a fixed list or a schedule. */
export function tomePolicy(r: readonly number[]): MergePolicy {
  return {
    name: 'tome',
    usesMatching: true,
    plan(state, context) {
      const k = r[context.block] ?? 0;
      if (k <= 0 || !context.matching) return null;
      return bipartitePlan(state, context.classToken, batchLinks(state, context), new Int32Array(state.batch).fill(k));
    },
  };
}
