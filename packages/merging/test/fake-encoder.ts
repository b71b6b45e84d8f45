import { applyPlanToBookkeeping, initialTokenBatch, Rng, type MergePolicy, type TokenBatch } from '@dymu/core';

/**
 * A stand-in encoder: B images of 9 tokens with a class token through 3 blocks. At each block A-row
 * a of an image scores a number drawn from the image name, the block and a (the class token row 0,
 * and rows past the image's length 0.99, which a policy must ignore); plans are applied to the
 * bookkeeping, so later blocks see the merged lengths and padding. Images whose names match
 * `undecodable` are left out of the batch and returned.
 */
export function fakeEncoder(log: string[][], failAt?: number, undecodable?: RegExp) {
  return async (batch: string[], policy: MergePolicy): Promise<string[]> => {
    if (log.length === failAt) throw new Error('killed');
    const images = batch.filter((name) => !undecodable?.test(name));
    log.push(images);
    let state: TokenBatch = initialTokenBatch(new Float32Array(0), images.length, 9, 0);
    for (let block = 0; block < 3; block++) {
      const stride = Math.ceil(state.tokens / 2);
      const score = Float32Array.from(
        images.flatMap((name, b) => Array.from({ length: stride }, (_, a) => (a === 0 ? 0 : 2 * a < state.lengths[b] ? Rng.stream(block, `${name}/${a}`).float() : 0.99))),
      );
      const plan = policy.plan(state, { block, numBlocks: 3, metric: new Float32Array(0), metricDim: 0, classToken: true, matching: { score, index: new Int32Array(score.length), stride } });
      if (plan) state = { ...applyPlanToBookkeeping(state, plan), hidden: state.hidden };
    }
    return batch.filter((name) => undecodable?.test(name));
  };
}
