import type { ConfigPoint, Experiment, RunConfig } from '../config/experiment.ts';
import { runId } from './run-id.ts';
import { seedDependence } from './seed-use.ts';

/** One run: a configuration and a seed, or (seed null) a configuration computed once for all its seeds. */
export interface PlannedRun {
  readonly id: string;
  /** null: nothing in the config draws from the seed (seedDependence), so one run stands for every seed. */
  readonly seed: number | null;
  /** The seeds the run stands for: its own, or all of the configuration's when shared. */
  readonly seeds: readonly number[];
  readonly config: RunConfig;
  readonly labels: ConfigPoint['labels'];
  readonly origins: ConfigPoint['origins'];
}

/**
 * Every configuration × its seeds (the input's own, else the experiment's), seeds innermost, in the
 * order the sweep lists them; a configuration whose rows depend on no seed is one run (id over the
 * seed null) shared by all of them.
 */
export function planRuns(experiment: Pick<Experiment, 'points' | 'seeds'>): PlannedRun[] {
  return experiment.points.flatMap(({ config, labels, origins, seeds: own }): PlannedRun[] => {
    const seeds = own ?? experiment.seeds;
    if (seedDependence(config) === null) return [{ id: runId(config, null), seed: null, seeds, config, labels, origins }];
    return seeds.map((seed) => ({ id: runId(config, seed), seed, seeds: [seed], config, labels, origins }));
  });
}

/** `seed 1`, or `seeds 0, 1, 2 (shared)` for a run computed once for several seeds. */
export function seedText(run: Pick<PlannedRun, 'seed' | 'seeds'>): string {
  if (run.seed !== null) return `seed ${run.seed}`;
  return run.seeds.length === 1 ? `seed ${run.seeds[0]}` : `seeds ${run.seeds.join(', ')} (shared)`;
}

/** `tome(r=2), generated, seed 1`: the run's labels and seed(s). */
export function describeRun(run: PlannedRun): string {
  return [...Object.values(run.labels), seedText(run)].join(', ');
}
