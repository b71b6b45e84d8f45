import type { MergePlan, TokenBatch } from '@dymu/core';
import { type Links, mergeCap } from './links.ts';

/**
 * The plan of a bipartite merge (DYMU.md §2): image b merges its `counts[b]` best links (capped at
 * floor((t − protected)/2)); the new sequence is the unmerged A-tokens (ascending position with a
 * class token, else by descending score as ToMe does), then all B-tokens in order, each merged
 * A-token going to its B-token. An image with nothing to merge keeps its order (ToMe returns early
 * when r = 0); null when no image merges.
 */
export function bipartitePlan(state: TokenBatch, classToken: boolean, links: readonly Links[], counts: ArrayLike<number>): MergePlan | null {
  const T = state.tokens;
  const lengths = Int32Array.from(state.lengths);
  const destination = new Int32Array(state.batch * T);
  let merging = false;
  for (let b = 0; b < state.batch; b++) {
    const t = state.lengths[b];
    const k = Math.min(counts[b], mergeCap(t, classToken));
    const out = destination.subarray(b * T, b * T + t);
    if (k <= 0) {
      out.forEach((_, i) => (out[i] = i));
      continue;
    }
    merging = true;
    lengths[b] = rewriteImage(out, t, links[b], k, classToken);
  }
  return merging ? { lengths, destination } : null;
}

/**
 * One image of t tokens rewritten as [unmerged A-tokens, B-tokens in order] with its k best links
 * merged (no cap): `out[i]` gets the new position of token i, each merged A-token its B-token's.
 * Unmerged A-tokens in position order, or in descending score order (ToMe without a class token).
 * Returns the new length t − k.
 */
export function rewriteImage(out: Int32Array, t: number, { order, dst }: Links, k: number, positionOrder: boolean): number {
  const unmerged = positionOrder ? order.slice(k).sort() : order.subarray(k);
  const kept = unmerged.length;
  unmerged.forEach((a, u) => (out[2 * a] = u));
  for (let j = 0; 2 * j + 1 < t; j++) out[2 * j + 1] = kept + j;
  for (const a of order.subarray(0, k)) out[2 * a] = kept + dst[a];
  return t - k;
}
