/**
 * Multiply-adds of ViT blocks (DYMU.md §8): a block that sees `tokensIn` tokens and merges down
 * to `tokensOut` before its MLP costs 4·t·D² (q, k, v, o) + 2·t²·D (scores and weighted sum)
 * + 2·t'·D·D_mlp (MLP on the reduced sequence).
 */
export function blockCost(tokensIn: number, tokensOut: number, width: number, mlpWidth: number): number {
  return 4 * tokensIn * width ** 2 + 2 * tokensIn ** 2 * width + 2 * tokensOut * width * mlpWidth;
}

/** Cost of the blocks that ran, from the initial token count and the count after each block. */
export function encoderCost(initialTokens: number, blockCounts: readonly number[], width: number, mlpWidth: number): number {
  let cost = 0;
  let tokens = initialTokens;
  for (const after of blockCounts) {
    cost += blockCost(tokens, after, width, mlpWidth);
    tokens = after;
  }
  return cost;
}
