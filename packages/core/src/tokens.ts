/**
 * The token set of a batch of images between ViT blocks, padded to the longest image, and what a
 * merge policy says about it. This is the contract between the encoder (which runs the tensor work
 * in onnxruntime) and merge policies (pure functions of small per-token arrays).
 */
export interface TokenBatch {
  readonly batch: number;
  /** Padded token count T (the longest image's). */
  readonly tokens: number;
  /** Width D. */
  readonly dim: number;
  /** Hidden states [B, T, D]; rows past an image's length are padding (ignored). */
  readonly hidden: Float32Array;
  /** Valid tokens per image. */
  readonly lengths: Int32Array;
  /** Patches (original tokens) held by each token [B, T]; 0 on padding. */
  readonly sizes: Float32Array;
  /** Per image: for each original token (class token included, at 0 when there is one), the index of the token that now holds it. */
  readonly sources: Int32Array[];
}

/**
 * ToMe's bipartite matching of the current sequence, per image: A = even positions, B = odd
 * positions; for A-token a (position 2a), `index[a]` is the B-token j (position 2j + 1) whose
 * metric is most similar (cosine; first index on ties) and `score[a]` that similarity. Padded
 * B-tokens are never chosen; rows for padded A-tokens are meaningless. Shapes [B, ceil(T/2)].
 */
export interface Matching {
  readonly score: Float32Array;
  readonly index: Int32Array;
  /** ceil(T/2): the row stride of `score` and `index`. */
  readonly stride: number;
}

/** What a policy sees besides the tokens, after the attention half of block `block`. */
export interface BlockContext {
  readonly block: number;
  readonly numBlocks: number;
  /** The block's attention keys averaged over heads [B, T, metricDim] (bias included). */
  readonly metric: Float32Array;
  readonly metricDim: number;
  /** Whether position 0 is a class token that must never merge. */
  readonly classToken: boolean;
  /** The bipartite matching of this block, when the policy asked for it (`usesMatching`). */
  readonly matching?: Matching;
}

/**
 * A policy's decision for one block: the new length of every image, and for every current token
 * (row b·T + t, t < the old length) the position it goes to in the new sequence. Tokens sent to the
 * same position merge into their size-weighted mean; every new position must receive a token.
 */
export interface MergePlan {
  readonly lengths: Int32Array;
  readonly destination: Int32Array;
  /**
   * Added to each destination's summed size before the division (default 0: the exact mean). The
   * official calibration layout divides by `size + 1e-4` (DYMU.md §3b).
   */
  readonly sizeOffset?: number;
}

/**
 * A merge policy runs between the attention and the MLP of every block and may shrink the token
 * set (returning null leaves it unchanged). Policies are pure and deterministic given their inputs
 * (and their own seeded RNG).
 */
export interface MergePolicy {
  readonly name: string;
  readonly usesMatching: boolean;
  plan(state: TokenBatch, context: BlockContext): MergePlan | null;
}

/** The policy that never merges. */
export const noMerging: MergePolicy = {
  name: 'none',
  usesMatching: false,
  plan: () => null,
};

/** A fresh, unmerged token batch: every image has `tokens` tokens of size 1 and the identity source map. */
export function initialTokenBatch(hidden: Float32Array, batch: number, tokens: number, dim: number): TokenBatch {
  const identity = Int32Array.from({ length: tokens }, (_, i) => i);
  return {
    batch,
    tokens,
    dim,
    hidden,
    lengths: new Int32Array(batch).fill(tokens),
    sizes: new Float32Array(batch * tokens).fill(1),
    sources: Array.from({ length: batch }, () => identity.slice()),
  };
}

/** The additive attention bias of proportional attention: log(size) per key, −∞ on padding. [B, T] */
export function attentionBias(state: TokenBatch): Float32Array {
  return state.sizes.map(Math.log);
}

/**
 * Sizes, lengths and source maps after a plan (everything but the hidden states, which the encoder
 * merges in onnxruntime as the size-weighted mean of each destination's tokens).
 */
export function applyPlanToBookkeeping(state: TokenBatch, plan: MergePlan): Omit<TokenBatch, 'hidden'> {
  const T = state.tokens;
  const tokens = Math.max(...plan.lengths);
  const sizes = new Float32Array(state.batch * tokens);
  for (let b = 0; b < state.batch; b++) {
    for (let t = 0; t < state.lengths[b]; t++) sizes[b * tokens + plan.destination[b * T + t]] += state.sizes[b * T + t];
  }
  const sources = state.sources.map((source, b) => source.map((t) => plan.destination[b * T + t]));
  return { batch: state.batch, tokens, dim: state.dim, lengths: Int32Array.from(plan.lengths), sizes, sources };
}
