import { DymuError, Rng, type MergePolicy } from '@dymu/core';
import { bipartitePlan } from '../bipartite-plan.ts';
import { links, mergeCap } from '../links.ts';

/**
 * One image of a batch for the random ablation: a stable key (its path or dataset id) and the token
 * counts after each block that the reference run produced for it (`EncodedImage.blockCounts` of a
 * DToMe run, class token included).
 */
export interface RandomImage {
  readonly key: string;
  readonly blockCounts: readonly number[];
}

/**
 * Random merging with the same per-image, per-block counts as a reference run: at block i image b
 * merges k = (its current length) − blockCounts[i] links chosen at random (k random A-tokens, each
 * into a random B-token), then follows the ordinary bipartite order rule with random scores. The
 * draws come from Rng.stream(seed, "random/<key>/block<i>"), so an image gets the same merges
 * whatever batch it is in. `images` lists the batch's images in order: build one policy per batch.
 */
export function randomPolicy(seed: number, images: readonly RandomImage[]): MergePolicy {
  return {
    name: 'random',
    usesMatching: false,
    plan(state, context) {
      if (state.batch !== images.length) {
        throw new DymuError(`the policy was built for ${images.length} images, the batch has ${state.batch}`, { field: 'random.images' });
      }
      const counts = Array.from(state.lengths, (t, b) => {
        const field = `random.images[${b}].blockCounts[${context.block}]`;
        const target = images[b].blockCounts[context.block];
        if (target === undefined) throw new DymuError(`missing: the encoder runs block ${context.block}`, { field });
        const k = t - target;
        if (k < 0 || k > mergeCap(t, context.classToken)) {
          throw new DymuError(`${target} tokens cannot be reached from ${t} in one block (at most ${mergeCap(t, context.classToken)} merges)`, { field });
        }
        return k;
      });
      const randomLinks = Array.from(state.lengths, (t, b) => {
        const rng = Rng.stream(seed, `random/${images[b].key}/block${context.block}`);
        const a = Math.ceil(t / 2);
        const targets = Math.max(1, Math.floor(t / 2));
        const best = Float32Array.from({ length: a }, () => rng.float());
        const dst = Int32Array.from({ length: a }, () => rng.int(targets));
        return links(best, dst, context.classToken);
      });
      return bipartitePlan(state, context.classToken, randomLinks, counts);
    },
  };
}
