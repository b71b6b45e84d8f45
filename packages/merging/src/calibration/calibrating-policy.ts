import type { MergePolicy } from '@dymu/core';
import { bipartitePlan } from '../bipartite-plan.ts';
import { batchLinks } from '../links.ts';
import { batchThreshold } from './batch-threshold.ts';

/**
 * The policy of a calibration forward: at each block with r_i > 0 the batch merges its top B·r_i
 * links together (so later blocks see the batch-merged tokens) and τ_batch is reported.
 */
export function calibratingPolicy(r: readonly number[], record: (block: number, threshold: number) => void): MergePolicy {
  return {
    name: 'dtome-calibration',
    usesMatching: true,
    plan(state, context) {
      const ri = r[context.block] ?? 0;
      if (ri <= 0 || !context.matching) return null;
      const links = batchLinks(state, context);
      const { threshold, counts } = batchThreshold(links, state.batch * ri);
      record(context.block, threshold);
      return bipartitePlan(state, context.classToken, links, counts);
    },
  };
}
