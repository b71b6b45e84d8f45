import type { RunConfig } from '../config/experiment.ts';

/**
 * Datasets that draw their images from the run's seed (`DatasetContext.seed`), given their
 * parameters: `generated` unless it has a `seed` of its own. Every other dataset reads its records
 * in the files' order; a plugin dataset that draws from the seed is added here.
 */
export const SEEDED_DATASETS: Readonly<Record<string, (params: Readonly<Record<string, unknown>>) => boolean>> = {
  generated: (params) => params.seed === undefined,
};

/**
 * What makes a run's rows depend on its seed or differ between two computations, as a field path
 * (`limit`, `dataset`, `benchmark.judge`), or null when nothing does: such a run is computed once
 * and shared by every seed. Draws from the seed: a dataset's `limit` (the seeded sampler picks the
 * subset) and a dataset of SEEDED_DATASETS. Differs without a seed: a benchmark's `judge` (an API
 * model sampling its grades, as LLaVA-Bench's and MM-Vet's reviews do). Nothing else does: benchmarks
 * take their first `limit` questions and decode greedily, calibrations draw with their own `seed`,
 * generated models and fixtures with theirs. A random policy `like` another row draws from the run's
 * seed unless it gives its own, and follows its reference's runs: planRuns decides for it.
 */
export function seedDependence(config: RunConfig): string | null {
  const { dataset, benchmark, limit } = config;
  if (dataset && limit !== null) return 'limit';
  if (dataset && SEEDED_DATASETS[dataset.name]?.(dataset)) return 'dataset';
  if (benchmark && benchmark.judge !== undefined && benchmark.judge !== null) return 'benchmark.judge';
  return null;
}
