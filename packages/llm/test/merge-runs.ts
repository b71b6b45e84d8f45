import type { MergePolicy } from '@dymu/core';

/** Merges runs of `size` consecutive tokens in the first block: every view (or frame) keeps 1 / size of its tokens. */
export function mergeRuns(size: number): MergePolicy {
  return {
    name: `runs of ${size}`,
    usesMatching: false,
    plan: (state, context) => {
      if (context.block !== 0) return null;
      const destination = new Int32Array(state.batch * state.tokens).map((_, i) => Math.floor((i % state.tokens) / size));
      return { lengths: state.lengths.map((n) => Math.ceil(n / size)), destination };
    },
  };
}
