import { PAPER_COLUMNS } from '../paper/columns.ts';
import type { Comparison } from '../paper/compare.ts';
import { TOKENS_COLUMN, type CellStat, type TableData } from '../tables/table.ts';

/** One row of ours or of the paper: visual tokens and the metric, each with its spread (null: none). */
export interface PlotPoint {
  readonly tokens: number;
  readonly tokensStd: number | null;
  readonly value: number;
  readonly valueStd: number | null;
  /** The schedule level the row's label ends with (low, mid, high, 94, …), or the whole label. */
  readonly label: string;
}

/** The rows of one method: ours and the paper's; `full`: the model without merging. */
export interface PlotMethod {
  readonly name: string;
  readonly full: boolean;
  readonly ours: readonly PlotPoint[];
  readonly paper: readonly PlotPoint[];
}

export interface PlotData {
  /** The metric's name as the y axis shows it. */
  readonly metric: string;
  /** The x axis's title, with its unit. */
  readonly tokensLabel: string;
  /** What the bars are. */
  readonly bars: string;
  readonly methods: readonly PlotMethod[];
}

/** A metric that can be plotted: its column (a `paper:` key or a table header) and how the axis names it. */
export interface MetricChoice {
  readonly column: string;
  readonly name: string;
}

const LEVEL = /^(.+?)[-_ ](low|mid|high|r?\d+(?:\.\d+)?)$/i;

/**
 * A row label without its schedule level, and the level: `DyMU-low` → DyMU, low; `ToMe-94` → ToMe,
 * 94 (`ToMe-r8` → ToMe, r8); each part of a label of several sweep keys (`DyMU-mid, LLaVA-mix`) on
 * its own. A label with no level is its own method and labels its point with itself.
 */
export function splitLevel(label: string): { method: string; level: string } {
  const parts = label.split(', ');
  const levels = parts.map((part) => LEVEL.exec(part));
  if (levels.every((m) => m === null)) return { method: label, level: label };
  return { method: levels.map((m, i) => m?.[1] ?? parts[i]).join(', '), level: levels.flatMap((m) => (m ? [m[2]] : [])).join(', ') };
}

/** Points grouped into methods in the order their first row comes. */
function group(rows: readonly { label: string; ours: PlotPoint | null; paper: PlotPoint | null }[], fullRows: ReadonlySet<string>): PlotMethod[] {
  const methods = new Map<string, { name: string; full: boolean; ours: PlotPoint[]; paper: PlotPoint[] }>();
  for (const row of rows) {
    const full = fullRows.has(row.label);
    const { method, level } = full ? { method: row.label, level: row.label } : splitLevel(row.label);
    const entry = methods.get(method) ?? { name: method, full, ours: [], paper: [] };
    if (row.ours) entry.ours.push({ ...row.ours, label: level });
    if (row.paper) entry.paper.push({ ...row.paper, label: level });
    methods.set(method, entry);
  }
  return [...methods.values()].filter((m) => m.ours.length + m.paper.length > 0);
}

const spread = (std: number | null): number | null => (std !== null && Number.isFinite(std) ? std : null);
const point = (x: CellStat | { mean: number; std: number | null }, y: CellStat): PlotPoint => ({ tokens: x.mean, tokensStd: spread(x.std), value: y.mean, valueStd: spread(y.std), label: '' });

/** The metrics a `paper:` table can plot: its column keys and their headers (`avg` → Avg). */
export function comparisonMetrics(comparison: Comparison): MetricChoice[] {
  return comparison.columns.filter((key) => key === 'avg' || PAPER_COLUMNS[key]?.metric).map((key) => ({ column: key, name: key === 'avg' ? 'Avg' : PAPER_COLUMNS[key].label }));
}

/**
 * The `paper:` table's rows as points: ours (our tokens as the paper counts them, the metric's mean
 * ± std over seeds) and, for the paper's rows that are ours, the paper's (its tokens and spread as
 * printed). The paper's other rows (quoted from other works) are left out.
 */
export function comparisonPoints(comparison: Comparison, metric: MetricChoice, fullRows: ReadonlySet<string>): PlotData {
  const percent = comparison.rows.some((r) => r.paper?.tokens.includes('%'));
  const rows = comparison.rows.flatMap((row) => {
    if (row.ours === null) return [];
    const cell = row.cells[metric.column];
    const reported = row.paper?.values.get(metric.column);
    const tokens = row.paper ? Number(row.paper.tokens.replace(/[~%\s]/g, '')) : NaN;
    return [{
      label: row.ours,
      ours: cell && row.tokens ? point(row.tokens, cell) : null,
      paper: reported !== undefined && Number.isFinite(tokens) ? { tokens, tokensStd: row.paper!.tokensStd === '' ? null : Number(row.paper!.tokensStd), value: Number(reported), valueStd: null, label: '' } : null,
    }];
  });
  return {
    metric: metric.name,
    tokensLabel: percent ? 'visual tokens (% of the unmerged count, mean per image)' : 'visual tokens (mean per image)',
    bars: `bars: ±1 std; tokens: over images (mean over the benchmarks), ${metric.name}: over seeds`,
    methods: group(rows, fullRows),
  };
}

/** The metrics a `tables:` entry can plot: its columns besides the tokens. */
export function tableMetrics(data: TableData): MetricChoice[] {
  return data.columns.filter((c) => c !== TOKENS_COLUMN).map((c) => ({ column: c, name: c }));
}

/**
 * The metric `wanted` names (a column key or header, any case; `avg`: the Avg column, or a table's
 * first `avg …` column); null when none does.
 */
export function pickMetric(choices: readonly MetricChoice[], wanted: string): MetricChoice | null {
  const w = wanted.toLowerCase();
  const named = choices.find((c) => c.column.toLowerCase() === w || c.name.toLowerCase() === w);
  return named ?? (w === 'avg' ? (choices.find((c) => c.column.startsWith('avg ')) ?? null) : null);
}

/** A `tables:` entry's rows as points: its tokens column and the metric column, each mean ± std over seeds. */
export function tablePoints(data: TableData, metric: MetricChoice, fullRows: ReadonlySet<string>): PlotData {
  const x = data.columns.indexOf(TOKENS_COLUMN), y = data.columns.indexOf(metric.column);
  const rows = data.rows.map((row) => {
    const [tokens, value] = [row.cells[x], row.cells[y]];
    return { label: row.label, ours: tokens && value ? point(tokens, value) : null, paper: null };
  });
  return { metric: metric.name, tokensLabel: 'visual tokens (mean per image)', bars: `bars: ±1 std over seeds (tokens and ${metric.name})`, methods: group(rows, fullRows) };
}
