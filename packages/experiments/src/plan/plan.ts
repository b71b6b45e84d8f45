import type { ConfigPoint, Experiment, RunConfig } from '../config/experiment.ts';
import { runId } from './run-id.ts';

/** One run: a configuration and a seed. */
export interface PlannedRun {
  readonly id: string;
  readonly seed: number;
  readonly config: RunConfig;
  readonly labels: ConfigPoint['labels'];
  readonly origins: ConfigPoint['origins'];
}

/** Every configuration × its seeds (the input's own, else the experiment's), seeds innermost, in the order the sweep lists them. */
export function planRuns(experiment: Pick<Experiment, 'points' | 'seeds'>): PlannedRun[] {
  return experiment.points.flatMap(({ config, labels, origins, seeds }) => (seeds ?? experiment.seeds).map((seed) => ({ id: runId(config, seed), seed, config, labels, origins })));
}

/** `tome(r=2), generated, seed 1`: the run's labels and seed. */
export function describeRun(run: PlannedRun): string {
  return [...Object.values(run.labels), `seed ${run.seed}`].join(', ');
}
