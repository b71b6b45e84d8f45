import type { MergePolicy } from '@dymu/core';
import { batchLinks } from '../links.ts';
import { batchMerge, type CalibrationLayout } from './layout.ts';

/**
 * The policy of a calibration forward: at each block with r_i > 0 the batch merges its top B·r_i
 * links together (so later blocks see the batch-merged tokens, laid out as `layout` says) and
 * τ_batch is reported.
 */
export function calibratingPolicy(r: readonly number[], record: (block: number, threshold: number) => void, layout: CalibrationLayout = 'compact'): MergePolicy {
  return {
    name: 'dtome-calibration',
    usesMatching: true,
    plan(state, context) {
      const ri = r[context.block] ?? 0;
      if (ri <= 0 || !context.matching) return null;
      const merge = batchMerge(layout, state, context.classToken, batchLinks(state, context), ri);
      if (merge === undefined) return null;
      record(context.block, merge.threshold);
      return merge.plan;
    },
  };
}
