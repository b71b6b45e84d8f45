import { DymuError } from '@dymu/core';
import type { ConfigPoint, Experiment, RunConfig } from '../config/experiment.ts';
import { referencePoint } from './reference.ts';
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
  /** The configuration's place in the experiment (`points`), the order listings keep. */
  readonly point: number;
  /** The run whose per-image, per-block token counts a `{ name: random, like }` policy takes (planned before this one). */
  readonly reference?: { readonly experiment: string; readonly id: string; readonly labels: ConfigPoint['labels']; readonly seed: number | null };
}

/**
 * Every configuration × its seeds (the input's own, else the experiment's), seeds innermost, in the
 * order the sweep lists them; a configuration whose rows depend on no seed is one run (id over the
 * seed null) shared by all of them. A random run `like` another row depends on that row's run of
 * the same seed (or its shared run) and on its own seed unless its policy gives one; its id covers
 * the reference's id. Runs that others depend on come first (the order otherwise kept).
 */
export function planRuns(experiment: Pick<Experiment, 'name' | 'points' | 'seeds'>): PlannedRun[] {
  const { points } = experiment;
  const seedsOf = (point: ConfigPoint) => point.seeds ?? experiment.seeds;
  const ownRuns = (point: ConfigPoint, index: number, shared: boolean) =>
    shared ? [{ id: runId(point.config, null), seed: null, seeds: seedsOf(point), point: index }] : seedsOf(point).map((seed) => ({ id: runId(point.config, seed), seed, seeds: [seed], point: index }));
  const plain = points.map((point, index) => ownRuns(point, index, seedDependence(point.config) === null));
  const runs = points.flatMap((point, index): PlannedRun[] => {
    const { config, labels, origins } = point;
    const at = referencePoint(points, index);
    if (at === undefined) return plain[index].map((r) => ({ ...r, config, labels, origins }));
    const references = plain[at];
    const ownSeed = (config.policy as Readonly<Record<string, unknown>>).seed !== undefined;
    const shared = ownSeed && references[0].seed === null && seedDependence(config) === null;
    return seedsOf(point).filter((seed, i) => !shared || i === 0).map((seed) => {
      const reference = references.find((r) => r.seed === null || r.seed === seed);
      if (!reference) throw new DymuError(`seed ${seed}: row ${Object.values(points[at].labels).join(', ')} has no run of this seed (its seeds: ${seedsOf(points[at]).join(', ')})`, origins.locate(['policy', 'like']));
      const own = shared ? null : seed;
      return { id: runId(config, own, reference.id), seed: own, seeds: shared ? seedsOf(point) : [seed], config, labels, origins, point: index, reference: { experiment: experiment.name, id: reference.id, labels: points[at].labels, seed: reference.seed } };
    });
  });
  const needed = referencedIds(runs);
  return [...runs.filter((r) => needed.has(r.id)), ...runs.filter((r) => !needed.has(r.id))];
}

/** The ids of the runs that others take their counts from (random runs `like` their row). */
export function referencedIds(runs: readonly Pick<PlannedRun, 'reference'>[]): Set<string> {
  return new Set(runs.flatMap((r) => (r.reference ? [r.reference.id] : [])));
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
