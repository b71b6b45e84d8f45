import type { Check } from './check.ts';
import type { MetricColumn, TableSpec } from './experiment.ts';
import { isRecord, type Path } from './tree.ts';

/** What may name a directory or file: the experiment, a table. */
export const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** A `tables:` entry; `rows` defaults to the sweep keys (else `policy`). */
export function tableSpec(value: unknown, path: Path, check: Check, axes: readonly string[]): TableSpec {
  const t = check.record(value, path, ['name', 'title', 'rows', 'metrics', 'average', 'tokens', 'digits']);
  const name = check.string(t.name, [...path, 'name']);
  if (!NAME.test(name)) check.fail([...path, 'name'], `expected letters, digits, '.', '_' or '-' (it names the output files), got ${JSON.stringify(name)}`);
  const metrics = t.metrics === undefined ? [] : check.list(t.metrics, [...path, 'metrics']).map((m, i) => metricColumn(m, [...path, 'metrics', i], check));
  const tokens = t.tokens === undefined ? 'tokens_cls' : t.tokens === null ? null : check.string(t.tokens, [...path, 'tokens']);
  if (metrics.length === 0 && tokens === null) check.fail([...path, 'metrics'], 'expected at least one metric (or a tokens column)');
  return {
    name,
    title: t.title === undefined ? null : check.string(t.title, [...path, 'title']),
    rows: t.rows === undefined ? (axes.length > 0 ? axes : ['policy']) : check.list(t.rows, [...path, 'rows'], { nonEmpty: true }).map((r, i) => check.string(r, [...path, 'rows', i])),
    metrics,
    average: t.average === undefined ? false : check.boolean(t.average, [...path, 'average']),
    tokens,
    digits: t.digits === undefined ? 1 : check.integer(t.digits, [...path, 'digits'], 0, 6),
  };
}

/** `name`, `{ metric, label? }`, or `{ metric: { <dataset/benchmark label>: name, … }, label }`. */
function metricColumn(value: unknown, path: Path, check: Check): MetricColumn {
  if (typeof value === 'string' && value !== '') return { metric: value, label: value };
  const m = check.record(value, path, ['metric', 'label']);
  if (isRecord(m.metric)) {
    const metric = Object.fromEntries(Object.entries(check.record(m.metric, [...path, 'metric'])).map(([k, v]) => [k, check.string(v, [...path, 'metric', k])]));
    return { metric, label: check.string(m.label, [...path, 'label']) };
  }
  const metric = check.string(m.metric, [...path, 'metric']);
  return { metric, label: m.label === undefined ? metric : check.string(m.label, [...path, 'label']) };
}

