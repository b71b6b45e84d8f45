import { readFileSync } from 'node:fs';
import { DymuError } from '@dymu/core';
import { ROW_FIELDS } from '../config/paper-spec.ts';

/** One row of a paper table: its identity (the CSV's row fields) and its value per benchmark key. */
export interface ReportedRow {
  readonly fields: Readonly<Record<(typeof ROW_FIELDS)[number], string>>;
  /** Visual tokens as printed (`89`, `~14.4 %`) and their spread (`27`, or ''). */
  readonly tokens: string;
  readonly tokensStd: string;
  /** Benchmark key → the value as printed (the text keeps the paper's decimals). */
  readonly values: ReadonlyMap<string, string>;
}

const COLUMNS = ['table', 'model', 'group', 'method', 'schedule', 'calibration', 'tokens', 'tokens_std', 'benchmark', 'value'] as const;

/** RFC 4180 fields of one CSV line (quoted fields may hold commas and doubled quotes). */
function csvFields(line: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) throw new Error('a quoted field is never closed');
        value += line.slice(i, q);
        i = q + 1;
        if (line[i] !== '"') break;
        value += '"';
        i++;
      }
      fields.push(value);
    } else {
      const comma = line.indexOf(',', i);
      fields.push(line.slice(i, comma < 0 ? line.length : comma));
      i = comma < 0 ? line.length : comma;
    }
    if (i >= line.length) return fields;
    i++; // the comma
  }
}

/**
 * The rows of one table of a reported-numbers CSV (`paper/dymu-reported.csv`: one line per table,
 * row and benchmark), in the order the paper lists them. `file` names the source in errors.
 */
export function parseReported(text: string, table: string, file: string): ReportedRow[] {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = csvFields(lines[0] ?? '');
  if (COLUMNS.some((c, i) => header[i] !== c)) throw new DymuError(`expected the header ${COLUMNS.join(',')}`, { file, field: 'line 1' });
  const rows = new Map<string, ReportedRow & { values: Map<string, string> }>();
  lines.slice(1).forEach((line, i) => {
    let cells: string[];
    try {
      cells = csvFields(line);
    } catch (error) {
      throw new DymuError((error as Error).message, { file, field: `line ${i + 2}` });
    }
    if (cells.length !== COLUMNS.length) throw new DymuError(`expected ${COLUMNS.length} fields, got ${cells.length}`, { file, field: `line ${i + 2}` });
    const cell = Object.fromEntries(COLUMNS.map((c, k) => [c, cells[k]])) as Record<(typeof COLUMNS)[number], string>;
    if (cell.table !== table) return;
    if (!Number.isFinite(Number(cell.value)) || cell.value.trim() === '') throw new DymuError(`expected a number, got ${JSON.stringify(cell.value)}`, { file, field: `line ${i + 2}.value` });
    const key = JSON.stringify(ROW_FIELDS.map((f) => cell[f]));
    const row = rows.get(key) ?? { fields: Object.fromEntries(ROW_FIELDS.map((f) => [f, cell[f]])) as ReportedRow['fields'], tokens: cell.tokens, tokensStd: cell.tokens_std, values: new Map<string, string>() };
    if (row.values.has(cell.benchmark)) throw new DymuError(`${cell.method}: ${cell.benchmark} is given twice`, { file, field: `line ${i + 2}` });
    row.values.set(cell.benchmark, cell.value);
    rows.set(key, row);
  });
  if (rows.size === 0) throw new DymuError(`has no rows of table ${table}`, { file });
  return [...rows.values()];
}

export function readReported(file: string, table: string): ReportedRow[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new DymuError(`cannot read the reported numbers (${(error as Error).message})`, { file });
  }
  return parseReported(text, table, file);
}
