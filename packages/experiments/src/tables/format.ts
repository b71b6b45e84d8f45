import { TOKENS_COLUMN, type CellStat, type TableData } from './table.ts';

/**
 * `12.3 ± 0.4` (LaTeX: `$12.3 \pm 0.4$`); one seed: the mean alone; a run computed once for every
 * seed: `61.2 (n = 1)`; fewer seeds than planned: `(n=2)` after it; no finished run: `–`.
 */
export function formatCell(stat: CellStat | null, digits: number, seeds: number, style: 'text' | 'latex' = 'text'): string {
  if (!stat) return style === 'latex' ? '--' : '–';
  const pm = style === 'latex' ? ' \\pm ' : ' ± ';
  const value = stat.std === null ? stat.mean.toFixed(digits) : `${stat.mean.toFixed(digits)}${pm}${stat.std.toFixed(digits)}`;
  const note = stat.shared ? ' (n = 1)' : stat.n < seeds ? ` (n=${stat.n})` : '';
  return `${style === 'latex' ? `$${value}$` : value}${note}`;
}

/** A Markdown table: the first column left-aligned, the others right-aligned. */
export function markdownGrid(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map((c) => c.replaceAll('|', '\\|')).join(' | ')} |`;
  return `${[line(header), `|${header.map((_, i) => (i === 0 ? ':--' : '--:')).join('|')}|`, ...rows.map(line)].join('\n')}\n`;
}

/** RFC 4180 CSV. */
export function csvGrid(header: readonly string[], rows: readonly (readonly (string | number | null)[])[]): string {
  const field = (v: string | number | null) => {
    const s = v === null ? '' : String(v);
    return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return `${[header, ...rows].map((row) => row.map(field).join(',')).join('\n')}\n`;
}

/**
 * The footnote of a table: what its ± and its marks are, for those its cells show. Every ± is the
 * sample std over seeds, the visual-token column's too (a spread of per-seed means, not the
 * spread over images); `(n = 1)` says a value is one run computed once for all its seeds.
 */
export function spreadNote(table: TableData): string {
  const cells = table.rows.flatMap((r) => r.cells.filter((c): c is CellStat => c !== null));
  const tokens = table.columns.includes(TOKENS_COLUMN) ? `, in the ${TOKENS_COLUMN} column too (the spread of its per-seed means, not over images)` : '';
  const parts = [
    cells.some((c) => c.std !== null) ? `± = sample standard deviation over the ${table.seeds} seeds${tokens}` : null,
    cells.some((c) => !c.shared && c.n < table.seeds) ? `(n=k): only k of the ${table.seeds} seeds finished, the spread is over those` : null,
    cells.some((c) => c.shared) ? '(n = 1): one run computed once for all the seeds (nothing in it draws from a seed): one value, no spread' : null,
    cells.some((c) => !c.shared && c.std === null) ? 'a value alone: one seed, no spread' : null,
  ].filter((p) => p !== null);
  return parts.length === 0 ? 'no finished runs yet' : `Cells: the mean over seeds; ${parts.join('; ')}.`;
}

/** The title, the grid, then the footnote saying what each ± is. */
export function markdownTable(table: TableData, digits: number): string {
  const grid = markdownGrid([table.rowHeader, ...table.columns], table.rows.map((r) => [r.label, ...r.cells.map((c) => formatCell(c, digits, table.seeds))]));
  return `${table.title ? `**${table.title}**\n\n` : ''}${grid}\n${spreadNote(table)}\n`;
}

/** Full-precision CSV: the row label, then per column its mean, std over seeds and number of seeds. */
export function csvTable(table: TableData): string {
  return csvGrid(
    [table.rowHeader, ...table.columns.flatMap((c) => [`${c} mean`, `${c} std over seeds`, `${c} seeds`])],
    table.rows.map((r) => [r.label, ...r.cells.flatMap((c) => (c ? [c.mean, c.std, c.n] : [null, null, 0]))]),
  );
}

/** A booktabs table (`\usepackage{booktabs}`), cells as `$mean \pm std$`. */
export function latexTable(table: TableData, digits: number): string {
  const escape = (s: string) => s.replace(/[\\&%$#_{}~^]/g, (c) => ({ '\\': '\\textbackslash{}', '~': '\\textasciitilde{}', '^': '\\textasciicircum{}' })[c] ?? `\\${c}`);
  const lines = [
    ...(table.title ? [`% ${table.title}`] : []),
    `% ${spreadNote(table)}`,
    `\\begin{tabular}{l${'r'.repeat(table.columns.length)}}`,
    '\\toprule',
    `${[table.rowHeader, ...table.columns].map(escape).join(' & ')} \\\\`,
    '\\midrule',
    ...table.rows.map((r) => `${[escape(r.label), ...r.cells.map((c) => formatCell(c, digits, table.seeds, 'latex'))].join(' & ')} \\\\`),
    '\\bottomrule',
    '\\end{tabular}',
  ];
  return `${lines.join('\n')}\n`;
}
