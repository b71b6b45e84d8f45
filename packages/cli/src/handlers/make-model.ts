import { makeVitModel, type DType } from '@dymu/weights';
import type { Args } from '../commands/make-model.ts';

export function makeModel(args: Args): void {
  const t0 = performance.now();
  const { dir, config } = makeVitModel({
    arch: args.arch,
    preset: args.preset,
    seed: args.seed,
    out: args.out,
    dtype: args.dtype as DType,
    withTextTower: args['with-text'],
    maxShardBytes: args['shard-mb'] === undefined ? undefined : args['shard-mb'] * 2 ** 20,
  });
  console.log(
    `wrote ${dir}: ${args.arch} ${args.preset} (${config.numLayers} layers, width ${config.hiddenSize}, ${config.imageSize}px / patch ${config.patchSize}) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
}
