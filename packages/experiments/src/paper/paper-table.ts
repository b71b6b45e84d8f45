import type { Experiment } from '../config/experiment.ts';
import type { PlannedRun } from '../plan/plan.ts';
import type { ResultsDb } from '../tables/results-db.ts';
import { comparePaper, type Comparison, type OurRun } from './compare.ts';
import type { ComparisonText } from './format.ts';
import { readReported } from './reported.ts';

/** A run's row in the paper table: its sweep labels joined by ", ". */
export const rowLabel = (experiment: Pick<Experiment, 'sweepKeys'>, run: Pick<PlannedRun, 'labels'>): string => experiment.sweepKeys.map((k) => run.labels[k]).join(', ');

/** A shell word: as is when safe, else in single quotes. */
const shellWord = (word: string): string => (/^[\w.@%+=:,/[\]-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`);

/** The command that runs an experiment file with these overrides, each a shell word. */
export const runCommand = (file: string, overrides: readonly string[]): string => ['npm run dymu -- run', ...[file, ...overrides].map(shellWord)].join(' ');

/** The command that runs one row of ours: the file, its overrides, and `only.<key>=<label>` per sweep key. */
export function rowCommand(experiment: Pick<Experiment, 'file' | 'overrides' | 'sweepKeys'>, run: Pick<PlannedRun, 'labels'>): string {
  const kept = experiment.overrides.filter((o) => !/^\+{0,2}only[.=]/.test(o));
  const only = experiment.sweepKeys.map((k) => `only.${k}=${run.labels[k]}`);
  return runCommand(experiment.file, [...kept, ...only]);
}

/**
 * The experiment's `paper:` table from the finished runs in `db` (loaded with the planned runs):
 * the reported rows of that table next to ours, and the command for every row of ours that has
 * unfinished runs.
 */
export async function paperComparison(db: ResultsDb, experiment: Experiment, runs: readonly PlannedRun[]): Promise<{ comparison: Comparison; text: ComparisonText }> {
  const spec = experiment.paper!;
  const reported = readReported(spec.reported, spec.table);
  const { rows } = await db.query('SELECT run_id, metric, value FROM metrics');
  const metrics = new Map<string, Record<string, number>>();
  for (const [id, metric, value] of rows as [string, string, number][]) metrics.set(id, { ...metrics.get(id), [metric]: value });
  const ours: OurRun[] = runs.flatMap((run) => (metrics.has(run.id) ? [{ row: rowLabel(experiment, run), benchmark: run.config.benchmark?.name ?? null, seed: run.seed, seeds: run.seeds.length, metrics: metrics.get(run.id)! }] : []));
  const ourRows = [...new Set(runs.map((run) => rowLabel(experiment, run)))];
  const comparison = comparePaper(reported, spec.rows, ours, ourRows, experiment.file);
  const commands = new Map(runs.filter((run) => !metrics.has(run.id)).map((run) => [rowLabel(experiment, run), rowCommand(experiment, run)]));
  const model = reported[0].fields.model;
  return { comparison, text: { title: spec.title ?? `Table ${spec.table} of the paper (${model}) and ours`, commands } };
}
