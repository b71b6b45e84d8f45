import { DymuError } from '@dymu/core';
import type { Experiment, MetricColumn, TableSpec } from '../config/experiment.ts';
import { formatValue } from '../config/label.ts';
import { getPath, parsePath } from '../config/tree.ts';
import type { PlannedRun } from '../plan/plan.ts';
import type { ResultsDb } from './results-db.ts';

/** Mean and sample standard deviation (n − 1; null for one value) over the seeds that finished. */
export interface CellStat {
  readonly mean: number;
  readonly std: number | null;
  readonly n: number;
  /** Every value comes from runs computed once for several seeds (nothing in them draws from a seed): n = 1 by construction. */
  readonly shared: boolean;
}

export interface TableData {
  readonly name: string;
  readonly title: string | null;
  readonly rowHeader: string;
  readonly columns: readonly string[];
  readonly rows: readonly { readonly label: string; readonly cells: readonly (CellStat | null)[] }[];
  /** Seeds per configuration in the plan (cells with fewer are marked). */
  readonly seeds: number;
}

/** The label of the visual-token column (`tokens:` of a table spec). */
export const TOKENS_COLUMN = 'visual tokens';

/** A run's label for a `rows` entry: its sweep or input label, else the config value there, formatted. */
export function labelAt(run: PlannedRun, path: string): string {
  return run.labels[path] ?? formatValue(getPath(run.config, parsePath(path)));
}

/**
 * A table of the experiment from the finished runs in `db`: rows = the `rows` labels of the runs,
 * columns = each metric per dataset/benchmark (when there are several), then with `average` each
 * metric's mean over them, then the tokens column the same way; cells = mean ± std over seeds of
 * the per-run values (averages: per seed over the datasets/benchmarks first, counting a seed only
 * when all of them finished). A run shared by every seed (seed null) is one value; averaged with
 * seeded runs it counts in each of their seeds. DuckDB computes the statistics; a run that has not
 * finished is left out (its cell shows fewer seeds).
 */
export async function buildTable(db: ResultsDb, experiment: Experiment, runs: readonly PlannedRun[], index: number): Promise<TableData> {
  const spec = experiment.tables[index];
  const bySource = !spec.rows.some((r) => r === 'dataset' || r === 'benchmark');
  const cells = runs.map((run) => ({ run, row: spec.rows.map((p) => labelAt(run, p)).join(', '), col: bySource ? (run.labels.dataset ?? run.labels.benchmark ?? '') : '' }));
  checkDistinct(cells, spec, experiment, index);
  const rowLabels = [...new Set(cells.map((c) => c.row))];
  const sources = [...new Set(cells.map((c) => c.col))];

  // Each output column picks one metric of one source, or (averages) one of every source.
  const metricOf = (m: MetricColumn, source: string) => (typeof m.metric === 'string' ? m.metric : m.metric[source]);
  const columns: { label: string; picks: { col: string; metric: string }[] }[] = [
    ...sources.flatMap((col) => spec.metrics.map((m) => ({ label: sources.length > 1 ? `${col}: ${m.label}` : m.label, picks: [{ col, metric: metricOf(m, col) }] }))),
    ...(spec.average && sources.length > 1 ? spec.metrics.map((m) => ({ label: `avg ${m.label}`, picks: sources.map((col) => ({ col, metric: metricOf(m, col) })) })) : []),
    ...(spec.tokens ? [{ label: TOKENS_COLUMN, picks: sources.map((col) => ({ col, metric: spec.tokens! })) }] : []),
  ].map((c) => ({ ...c, picks: c.picks.filter((p) => p.metric !== undefined) }));

  const text = (name: string) => ({ name, type: 'utf8' as const });
  const int = (name: string) => ({ name, type: 'int32' as const });
  const bool = (name: string) => ({ name, type: 'bool' as const });
  await db.insert('cells', [text('experiment'), text('run_id'), text('row_label'), text('col'), int('seed'), bool('shared')], cells.map(({ run, row, col }) => [experiment.name, run.id, row, col, run.seed, run.seeds.length > 1]));
  await db.insert('picks', [int('key'), int('sources'), text('col'), text('metric')], columns.flatMap((c, key) => c.picks.map((p) => [key, c.picks.length, p.col, p.metric])));
  const { rows } = await db.query(`
    WITH picked AS (
      SELECT p.key, p.sources, c.row_label, c.seed, c.shared, m.value
      FROM cells c JOIN picks p ON p.col = c.col JOIN metrics m ON m.experiment = c.experiment AND m.run_id = c.run_id AND m.metric = p.metric),
    seeds AS (SELECT DISTINCT key, row_label, seed FROM picked WHERE seed IS NOT NULL),
    per_seed AS (
      SELECT v.key, v.row_label, coalesce(v.seed, s.seed) AS seed, avg(v.value) AS value, bool_and(v.seed IS NULL AND v.shared) AS shared
      FROM picked v LEFT JOIN seeds s ON v.seed IS NULL AND s.key = v.key AND s.row_label = v.row_label
      GROUP BY v.key, v.sources, v.row_label, coalesce(v.seed, s.seed) HAVING count(*) = v.sources)
    SELECT key, row_label, avg(value), stddev_samp(value), count(*), bool_and(shared) FROM per_seed GROUP BY ALL`);
  const stats = new Map(rows.map(([key, row, mean, std, n, shared]) => [JSON.stringify([key, row]), { mean, std, n, shared } as CellStat]));
  return {
    name: spec.name,
    title: spec.title,
    rowHeader: spec.rows.join(', '),
    columns: columns.map((c) => c.label),
    rows: rowLabels.map((label) => ({ label, cells: columns.map((_, key) => stats.get(JSON.stringify([key, label])) ?? null) })),
    seeds: experiment.seeds.length,
  };
}

/** Two runs of one seed in one cell would be averaged as if they were seeds: the rows must tell them apart. */
function checkDistinct(cells: readonly { run: PlannedRun; row: string; col: string }[], spec: TableSpec, experiment: Experiment, index: number): void {
  const seen = new Map<string, PlannedRun>();
  for (const { run, row, col } of cells) {
    const key = JSON.stringify([row, col, run.seed]);
    const other = seen.get(key);
    if (other) {
      throw new DymuError(`[${spec.rows.join(', ')}] labels two configurations alike (${JSON.stringify(row)}): add the field they differ in (runs ${other.id} and ${run.id})`, {
        file: experiment.file,
        field: `tables[${index}].rows`,
      });
    }
    seen.set(key, run);
  }
}
