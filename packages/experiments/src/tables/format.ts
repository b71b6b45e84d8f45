import type { CellStat, TableData } from './table.ts';

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

export function markdownTable(table: TableData, digits: number): string {
  const grid = markdownGrid([table.rowHeader, ...table.columns], table.rows.map((r) => [r.label, ...r.cells.map((c) => formatCell(c, digits, table.seeds))]));
  return table.title ? `**${table.title}**\n\n${grid}` : grid;
}

/** Full-precision CSV: the row label, then per column its mean, std and number of seeds. */
export function csvTable(table: TableData): string {
  return csvGrid(
    [table.rowHeader, ...table.columns.flatMap((c) => [`${c} mean`, `${c} std`, `${c} n`])],
    table.rows.map((r) => [r.label, ...r.cells.flatMap((c) => (c ? [c.mean, c.std, c.n] : [null, null, 0]))]),
  );
}

/** A booktabs table (`\usepackage{booktabs}`), cells as `$mean \pm std$`. */
export function latexTable(table: TableData, digits: number): string {
  const escape = (s: string) => s.replace(/[\\&%$#_{}~^]/g, (c) => ({ '\\': '\\textbackslash{}', '~': '\\textasciitilde{}', '^': '\\textasciicircum{}' })[c] ?? `\\${c}`);
  const lines = [
    ...(table.title ? [`% ${table.title}`] : []),
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
