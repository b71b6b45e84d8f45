/**
 * The token set of a batch of images between ViT blocks, padded to the longest image.
 * This is the contract between the encoder and merge policies (see docs/architecture).
 */
export interface TokenBatch {
  readonly batch: number;
  /** Padded token count T (the longest image's). */
  readonly tokens: number;
  /** Width D. */
  readonly dim: number;
  /** Hidden states [B, T, D]; rows past an image's length are padding (zeros). */
  readonly hidden: Float32Array;
  /** Valid tokens per image. */
  readonly lengths: Int32Array;
  /** Patches (original tokens) held by each token [B, T]; 0 on padding. */
  readonly sizes: Float32Array;
  /** Per image: for each original token (class token included, at 0 when there is one), the index of the token that now holds it. */
  readonly sources: Int32Array[];
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
}

/**
 * A merge policy runs between the attention and the MLP of every block and may shrink the token
 * set. Policies are pure and deterministic given their inputs (and their own seeded RNG).
 */
export interface MergePolicy {
  readonly name: string;
  afterAttention(state: TokenBatch, context: BlockContext): TokenBatch;
}

/** The policy that never merges. */
export const noMerging: MergePolicy = {
  name: 'none',
  afterAttention: (state) => state,
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
  const bias = new Float32Array(state.sizes.length);
  for (let i = 0; i < bias.length; i++) bias[i] = Math.log(state.sizes[i]);
  return bias;
}
