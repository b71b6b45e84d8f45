import type { BlockContext, TokenBatch } from '@dymu/core';

/**
 * One image's candidate merges at a block (DYMU.md §2). A-tokens are the even positions, B-tokens
 * the odd ones; A-token a (position 2a) would merge into B-token dst[a] (position 2·dst[a] + 1)
 * with score best[a] (cosine similarity; −∞ for a class token). `order` lists the A-tokens by
 * descending score, ties by position (a stable sort).
 */
export interface Links {
  readonly best: Float32Array;
  readonly dst: Int32Array;
  readonly order: Int32Array;
}

/** The most merges one block can make on t tokens: floor((t − protected) / 2). */
export function mergeCap(length: number, classToken: boolean): number {
  return Math.max(0, Math.floor((length - (classToken ? 1 : 0)) / 2));
}

export function links(best: Float32Array, dst: Int32Array, classToken: boolean): Links {
  if (classToken && best.length > 0) best[0] = -Infinity;
  const order = Int32Array.from(best.keys()).sort((x, y) => best[y] - best[x] || x - y);
  return { best, dst, order };
}

/** Each image's links from the block's bipartite matching (computed by the encoder). */
export function batchLinks(state: TokenBatch, context: BlockContext): Links[] {
  const matching = context.matching;
  if (!matching) throw new Error(`block ${context.block}: the policy needs the matching but the encoder gave none`);
  return Array.from(state.lengths, (length, b) => {
    const row = b * matching.stride;
    const a = Math.ceil(length / 2);
    return links(matching.score.slice(row, row + a), matching.index.slice(row, row + a), context.classToken);
  });
}

/** How many of an image's links score strictly above τ (DToMe's count). */
export function countAbove({ best, order }: Links, threshold: number): number {
  let k = 0;
  while (k < order.length && best[order[k]] > threshold) k++;
  return k;
}
