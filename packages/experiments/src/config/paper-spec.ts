import { dirname, resolve } from 'node:path';
import type { Check } from './check.ts';
import type { PaperSpec } from './experiment.ts';
import type { Origins } from './origins.ts';
import { NAME } from './table-spec.ts';

/** The CSV fields that may pick a paper row (see paper/README.md). */
export const ROW_FIELDS = ['model', 'group', 'method', 'schedule', 'calibration', 'tokens'] as const;

/**
 * `paper: { reported, table, name?, title?, rows: { <our row label>: { method, tokens?, … } } }`.
 * `reported` is relative to the file that names it; `rowLabels` are the experiment's own rows.
 */
export function paperSpec(value: unknown, check: Check, origins: Origins, rowLabels: readonly string[]): PaperSpec {
  const p = check.record(value, ['paper'], ['reported', 'table', 'name', 'title', 'rows']);
  const reported = check.string(p.reported, ['paper', 'reported']);
  const table = typeof p.table === 'number' ? String(p.table) : check.string(p.table, ['paper', 'table']);
  const name = p.name === undefined ? `table${table}` : check.string(p.name, ['paper', 'name']);
  if (!NAME.test(name)) check.fail(['paper', 'name'], `expected letters, digits, '.', '_' or '-' (it names the output files), got ${JSON.stringify(name)}`);
  const rows = Object.entries(check.record(p.rows, ['paper', 'rows'])).map(([label, raw]) => {
    if (!rowLabels.includes(label)) check.fail(['paper', 'rows', label], `no row of ours is labelled ${JSON.stringify(label)} (rows: ${rowLabels.join('; ')})`);
    const match = Object.fromEntries(
      Object.entries(check.record(raw, ['paper', 'rows', label], ROW_FIELDS)).map(([field, v]) => [field, typeof v === 'number' ? String(v) : check.string(v, ['paper', 'rows', label, field])]),
    );
    return { label, match };
  });
  return {
    reported: resolve(dirname(resolve(origins.get(['paper', 'reported']).file)), reported),
    table,
    name,
    title: p.title === undefined ? null : check.string(p.title, ['paper', 'title']),
    rows,
  };
}
