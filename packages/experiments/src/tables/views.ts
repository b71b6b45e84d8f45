import { quoteName, sqlLiteral } from './sql-text.ts';

/**
 * The views of the results database (pure SQL text; `ResultsDb.load` runs it): the raw tables
 * keep `labels` and `config` as JSON, the views give every run label (sweep keys, `dataset`,
 * `benchmark`) a typed column of its own and one `seed` column, so a query needs no JSON operator
 * and no join:
 * - `results_runs`: one row per run (experiment, run_id, seed, status, task, labels…, rows, total, finished_at);
 * - `results`: one row per summary metric of a finished run (experiment, run_id, seed, task, labels…, metric, value);
 * - `results_samples` / `results_scores` (when `samples` / `scores` are loaded): experiment, run_id,
 *   seed, labels…, then the sample's (score's) own columns.
 * A label column is named after its key (`"policy+vtu"` in double quotes where the name is not a
 * plain word); one whose name another column of the view has is `label_<key>`. Across experiments
 * with different sweeps every key seen gets its column, NULL for runs without that label.
 */

/** SQL types a label column can take: the narrowest that all its values fit. */
export type LabelType = 'BOOLEAN' | 'BIGINT' | 'DOUBLE' | 'VARCHAR';

export interface LabelColumn {
  /** The key in the runs' `labels`. */
  readonly key: string;
  readonly type: LabelType;
}

const RUN_COLUMNS = ['experiment', 'run_id', 'seed', 'status', 'task'];
const RUN_TOTALS = ['rows', 'total', 'finished_at'];
const METRIC_COLUMNS = ['metric', 'value'];

function typeOf(values: readonly string[]): LabelType {
  if (values.every((v) => v === 'true' || v === 'false')) return 'BOOLEAN';
  const numbers = values.map(Number);
  if (!values.every((v, i) => v.trim() !== '' && String(numbers[i]) === v)) return 'VARCHAR';
  return numbers.every((n) => Number.isSafeInteger(n)) ? 'BIGINT' : 'DOUBLE';
}

/** The label keys of these runs in the order first seen, each typed by its values (`vtu: [true, false]` → BOOLEAN, `limit: [20, 100]` → BIGINT). */
export function labelColumns(labels: readonly Readonly<Record<string, string>>[]): LabelColumn[] {
  const values = new Map<string, string[]>();
  for (const run of labels) for (const [key, value] of Object.entries(run)) values.set(key, [...(values.get(key) ?? []), value]);
  return [...values].map(([key, seen]) => ({ key, type: typeOf(seen) }));
}

/** `CAST(json_extract_string(r.labels, ['policy+vtu'])[1] AS BOOLEAN) AS vtu`, renamed when `taken` has the name. */
function labelSelect(column: LabelColumn, taken: readonly string[]): string {
  const name = taken.includes(column.key) ? `label_${column.key}` : column.key;
  const text = `json_extract_string(r.labels, [${sqlLiteral(column.key)}])[1]`;
  return `${column.type === 'VARCHAR' ? text : `CAST(${text} AS ${column.type})`} AS ${quoteName(name)}`;
}

/** One view: the run's columns, its labels, then the other columns `rest` of `from` (aliased `x`; none: of `runs`). */
function view(name: string, labels: readonly LabelColumn[], runColumns: readonly string[], columns: readonly string[], from: string): string {
  const rest = columns.filter((c) => !runColumns.includes(c));
  const own = [...runColumns, ...rest];
  const select = [
    ...runColumns.map((c) => `r.${quoteName(c)}`),
    ...labels.map((l) => labelSelect(l, own)),
    ...rest.map((c) => `${from ? 'x' : 'r'}.${quoteName(c)}`),
  ];
  const join = from ? ` JOIN ${from} x ON x.experiment = r.experiment AND x.run_id = r.run_id` : '';
  return `CREATE OR REPLACE VIEW ${name} AS SELECT ${select.join(', ')} FROM runs r${join}`;
}

/**
 * The CREATE VIEW statements over `runs` and `metrics`, and over `samples` and `scores` when their
 * columns are given (loaded).
 */
export function viewStatements(labels: readonly LabelColumn[], loaded: { readonly samples?: readonly string[]; readonly scores?: readonly string[] } = {}): string[] {
  const ids = RUN_COLUMNS.slice(0, 3);
  return [
    view('results_runs', labels, RUN_COLUMNS, RUN_TOTALS, ''),
    view('results', labels, RUN_COLUMNS.filter((c) => c !== 'status'), METRIC_COLUMNS, 'metrics'),
    ...(loaded.samples ? [view('results_samples', labels, ids, loaded.samples, 'samples')] : []),
    ...(loaded.scores ? [view('results_scores', labels, ids, loaded.scores, 'scores')] : []),
  ];
}
