import { ContainerModule } from 'inversify';
import { generatedImages, IMAGE_KINDS } from '../resources/generated-images.ts';
import { attentionCostTask } from '../tasks/attention-cost.ts';
import { benchmarkTask } from '../tasks/benchmark.ts';
import { calibrateTask } from '../tasks/calibrate.ts';
import { complexityTask } from '../tasks/complexity.ts';
import { tokensTask } from '../tasks/tokens.ts';
import { datasetPlugin } from './datasets.ts';
import { DATASETS, TASKS } from './tokens.ts';

/**
 * `generated`: images of increasing complexity drawn from the seed (the run's unless given), written
 * once into the cache: `{ kinds: [flat, gradient, texture, noise], count: 4 (per kind), size: 64, seed }`.
 */
export const generatedDataset = datasetPlugin('generated', ['kinds', 'count', 'size', 'seed'], async (p, check, context) => {
  const records = await generatedImages(
    {
      kinds: p.kinds === undefined ? [...IMAGE_KINDS] : check.list(p.kinds, ['kinds'], { nonEmpty: true }).map((k, i) => check.oneOf(k, IMAGE_KINDS, ['kinds', i])),
      count: p.count === undefined ? 4 : check.integer(p.count, ['count'], 1),
      size: p.size === undefined ? 64 : check.integer(p.size, ['size'], 8, 4096),
      seed: p.seed === undefined ? context.seed : check.integer(p.seed, ['seed']),
    },
    context.cache,
  );
  return {
    name: 'generated',
    async *records() {
      yield* records;
    },
  };
});

/** This package's tasks and the generated dataset. */
export const experimentsModule = (): ContainerModule => new ContainerModule(({ bind }) => {
  for (const task of [tokensTask, benchmarkTask, calibrateTask, complexityTask, attentionCostTask]) bind(TASKS).toConstantValue(task);
  bind(DATASETS).toConstantValue(generatedDataset);
});
