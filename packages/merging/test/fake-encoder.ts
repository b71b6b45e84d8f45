import { initialTokenBatch, Rng, type MergePolicy } from '@dymu/core';

/** A stand-in encoder: B images of 9 tokens with a class token; scores drawn from each image name per block. */
export function fakeEncoder(log: string[][], failAt?: number) {
  return async (images: string[], policy: MergePolicy): Promise<void> => {
    if (log.length === failAt) throw new Error('killed');
    log.push(images);
    const state = initialTokenBatch(new Float32Array(0), images.length, 9, 0);
    for (let block = 0; block < 3; block++) {
      const score = Float32Array.from(images.flatMap((name) => Array.from({ length: 5 }, (_, a) => (a === 0 ? 0 : Rng.stream(block, `${name}/${a}`).float()))));
      policy.plan(state, { block, numBlocks: 3, metric: new Float32Array(0), metricDim: 0, classToken: true, matching: { score, index: new Int32Array(score.length), stride: 5 } });
    }
  };
}
