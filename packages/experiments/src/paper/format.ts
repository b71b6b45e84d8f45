import { csvGrid, markdownGrid } from '../tables/format.ts';
import { PAPER_COLUMNS } from './columns.ts';
import type { Comparison, ComparedRow, SeedStat } from './compare.ts';

/** How a comparison is printed: its title and, per row of ours without finished runs, the command that fills it. */
export interface ComparisonText {
  readonly title: string;
  readonly commands: ReadonlyMap<string, string>;
}

const header = (key: string): string => (key === 'avg' ? 'Avg' : (PAPER_COLUMNS[key]?.label ?? key));
const decimals = (text: string): number => (text.includes('.') ? text.length - text.indexOf('.') - 1 : 0);
const numeric = (text: string): number => Number(text.replace(/[~%\s]/g, ''));

/** Per column, the paper's decimals (ours are printed alike); 1 where the paper has no value. */
function columnDigits(comparison: Comparison): Record<string, number> {
  return Object.fromEntries(comparison.columns.map((key) => {
    const printed = comparison.rows.flatMap((r) => (r.paper?.values.has(key) ? [r.paper.values.get(key)!] : []));
    return [key, printed.length === 0 ? 1 : Math.max(...printed.map(decimals))];
  }));
}

const signed = (value: number, digits: number): string => `${value < 0 ? '−' : '+'}${Math.abs(value).toFixed(digits)}`;
/** `61.2 ± 0.4`; one seed: the mean alone; one run computed for several seeds: `61.2 (n = 1)`; none: `–`. */
const stat = (s: SeedStat | null | undefined, digits: number, pm: string): string => {
  if (!s) return '–';
  if (s.std === null) return `${s.mean.toFixed(digits)}${s.shared ? ' (n = 1)' : ''}`;
  return `${s.mean.toFixed(digits)}${pm}${s.std.toFixed(digits)}`;
}

/** The three lines of a row (paper, ours, difference) as text cells; ours and Δ only for rows of ours. */
function rowLines(row: ComparedRow, columns: readonly string[], digits: Record<string, number>, pm: string, dash: string): string[][] {
  const { paper } = row;
  const percent = paper?.tokens.includes('%') ?? false;
  const unit = percent ? ' %' : '';
  const paperTokens = paper ? (paper.tokensStd ? `${paper.tokens}${pm}${paper.tokensStd}` : paper.tokens) : dash;
  const lines = [];
  if (paper) lines.push([row.ours === null ? `${row.label} †` : row.label, 'paper', paperTokens, ...columns.map((k) => paper.values.get(k) ?? dash)]);
  if (row.ours === null) return lines;
  const ourTokens = row.tokens ? `${row.tokens.mean.toFixed(1)}${Number.isFinite(row.tokens.std) ? `${pm}${row.tokens.std.toFixed(1)}` : ''}${unit}` : dash;
  lines.push([paper ? row.ours : `${row.label} ‡`, 'ours', ourTokens, ...columns.map((k) => stat(row.cells[k], digits[k], pm).replace('–', dash))]);
  if (!paper || (row.tokens === null && columns.every((k) => !row.cells[k]))) return lines;
  const tokenDiff = row.tokens && paper.tokens !== '' ? signed(row.tokens.mean - numeric(paper.tokens), 1) + unit : dash;
  const diff = (k: string) => {
    const ours = row.cells[k];
    const theirs = paper.values.get(k);
    return ours && theirs !== undefined ? signed(ours.mean - Number(theirs), digits[k]) : dash;
  };
  lines.push(['', 'Δ', tokenDiff, ...columns.map(diff)]);
  return lines;
}

/**
 * What each ± of the table is: the visual tokens' (the paper's and ours) a spread over images;
 * ours in the other columns the sample std over seeds, with the seed counts the cells have; `(n = 1)`
 * a run computed once for all its seeds, which shows no ±.
 */
export function spreadNotes(comparison: Comparison): string[] {
  const cells = comparison.rows.flatMap((r) => Object.values(r.cells).filter((c): c is SeedStat => c !== null && c !== undefined));
  const seeds = [...new Set(cells.filter((c) => c.std !== null).map((c) => c.n))].sort((a, b) => a - b);
  const count = seeds.length === 1 ? `${seeds[0]}` : `${seeds[0]}–${seeds.at(-1)}`;
  return [
    'visual tokens: per benchmark the mean per answered question (class token included) ± the population standard deviation over its questions\' images, both averaged over the benchmarks (ours: over the runs of a benchmark first); this ± is the spread over images, not over seeds, as the paper reports it',
    ...(seeds.length > 0 ? [`the other columns of ours: mean ± sample standard deviation over ${count} seeds (the seeds per cell in the CSV)`] : []),
    ...(cells.some((c) => c.shared) ? ['(n = 1): one run computed once for all the seeds (greedy answers draw nothing from a seed): one value, no spread'] : []),
    ...(cells.some((c) => !c.shared && c.std === null) ? ['a value of ours alone: one seed, no spread'] : []),
  ];
}

/** What the Markdown says under the table. */
function notes(comparison: Comparison): string[] {
  const out: string[] = [...spreadNotes(comparison)];
  if (comparison.rows.some((r) => r.ours === null)) out.push('† a row of the paper that is none of ours (Table 2 quotes these methods from their own papers; with benchmarks missing they have no Avg)');
  if (comparison.rows.some((r) => r.paper === null)) out.push('‡ ours only: the paper has no such row');
  if (comparison.columns.includes('avg')) out.push('Avg: the mean of the nine benchmarks, MME as (perception + cognition) / 2800 · 100; ours needs all nine, so MM-Vet and LLaVA-W need their judges (models.judge_mmvet, models.judge_llava_bench)');
  if (comparison.columns.includes('mmbench_video')) out.push("MMBench-Video: the judge's mean rating, 0–3 (models.judge_mmbench_video; without it the column stays empty); MathVista without its judge (models.judge_mathvista) is scored only when its rules read every answer");
  return out;
}

export function comparisonMarkdown(comparison: Comparison, text: ComparisonText): string {
  const digits = columnDigits(comparison);
  const grid = markdownGrid(
    ['row', '', 'visual tokens', ...comparison.columns.map(header)],
    comparison.rows.flatMap((row) => rowLines(row, comparison.columns, digits, ' ± ', '–')),
  ).replace(/^(\|[^\n]*\n)\|:--\|--:/, '$1|:--|:--'); // the second column (paper / ours / Δ) is text
  const commands = text.commands.size === 0 ? [] : [['Rows of ours with runs to do, and the command that runs each:', '', ...[...text.commands].map(([row, command]) => `- ${row}: \`${command}\``)].join('\n')];
  return `${[`**${text.title}**`, grid.trimEnd(), ...notes(comparison), ...commands].join('\n\n')}\n`;
}

/** Full precision: per row the paper's tokens and values, ours (mean, std over seeds, seeds) and the difference per column, and the command when ours is missing; the tokens' std is over images. */
export function comparisonCsv(comparison: Comparison, text: ComparisonText): string {
  const { columns } = comparison;
  const head = ['row', 'our_row', 'tokens paper', 'tokens std over images paper', 'tokens ours', 'tokens std over images ours', ...columns.flatMap((k) => [`${k} paper`, `${k} ours mean`, `${k} ours std over seeds`, `${k} ours seeds`, `${k} diff`]), 'command'];
  const body = comparison.rows.map((row) => {
    const theirs = (k: string) => (row.paper?.values.has(k) ? Number(row.paper.values.get(k)) : null);
    return [
      row.label,
      row.ours ?? '',
      row.paper?.tokens ?? '',
      row.paper?.tokensStd ?? '',
      row.tokens?.mean ?? null,
      row.tokens?.std ?? null,
      ...columns.flatMap((k) => {
        const ours = row.cells[k];
        const paper = theirs(k);
        return [paper, ours?.mean ?? null, ours?.std ?? null, ours?.n ?? 0, ours && paper !== null ? ours.mean - paper : null];
      }),
      row.ours === null ? '' : (text.commands.get(row.ours) ?? ''),
    ];
  });
  return csvGrid(head, body);
}

/** booktabs (`\usepackage{booktabs}`): three lines per row, as the Markdown. */
export function comparisonLatex(comparison: Comparison, text: ComparisonText): string {
  const PM = ' \u0000 ';
  const escape = (s: string) => s.replace(/[\\&%$#_{}~^]/g, (c) => ({ '\\': '\\textbackslash{}', '~': '$\\sim$', '^': '\\textasciicircum{}' })[c] ?? `\\${c}`);
  const symbols: Record<string, string> = { '−': '$-$', Δ: '$\\Delta$', '†': '$^\\dagger$', '‡': '$^\\ddagger$', '·': '$\\cdot$', '²': '$^2$' };
  const cell = (c: string) => c.split(PM).map((part) => escape(part).replace(/[−Δ†‡·²]/g, (m) => symbols[m])).join(' $\\pm$ ');
  const digits = columnDigits(comparison);
  const lines = comparison.rows.flatMap((row) => rowLines(row, comparison.columns, digits, PM, '--'));
  return [
    `% ${text.title}`,
    ...spreadNotes(comparison).map((note) => `% ${note}`),
    `\\begin{tabular}{ll${'r'.repeat(comparison.columns.length + 1)}}`,
    '\\toprule',
    `${['row', '', 'visual tokens', ...comparison.columns.map(header)].map(cell).join(' & ')} \\\\`,
    '\\midrule',
    ...lines.map((l) => `${l.map(cell).join(' & ')} \\\\`),
    '\\bottomrule',
    '\\end{tabular}',
    '',
  ].join('\n');
}
