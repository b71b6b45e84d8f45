import { type DType, makeVlmModel } from '@dymu/weights';
import type { Args } from '../commands/make-vlm.ts';

export function makeVlm(args: Args): void {
  const t0 = performance.now();
  const { dir, config, vision } = makeVlmModel({
    family: args.family,
    preset: args.preset,
    seed: args.seed,
    out: args.out,
    dtype: args.dtype as DType,
    maxShardBytes: args['shard-mb'] === undefined ? undefined : args['shard-mb'] * 2 ** 20,
    layout: args.layout,
  });
  const llm = config.llm;
  console.log(
    `wrote ${dir}: ${llm.family} ${args.preset} (${llm.numLayers} layers, width ${llm.hiddenSize}, ${llm.numHeads}/${llm.numKvHeads} heads, vocab ${llm.vocabSize}), ` +
      `${config.projector.type} projector, ${vision.arch} vision tower ${config.visionTower === '.' ? 'in the same checkpoint' : `in ${config.visionTower}/`} in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
}
