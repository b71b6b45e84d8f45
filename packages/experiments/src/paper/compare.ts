import { DymuError } from '@dymu/core';
import { mean } from '../tasks/stats.ts';
import { AVERAGED, PAPER_COLUMNS, paperAverage } from './columns.ts';
import type { ReportedRow } from './reported.ts';

/**
 * One finished run of ours: its row label, the benchmark it answered (null for a dataset), seed
 * (null: computed once for all its seeds, `seeds` of them) and summary metrics.
 */
export interface OurRun {
  readonly row: string;
  readonly benchmark: string | null;
  readonly seed: number | null;
  readonly seeds?: number;
  readonly metrics: Readonly<Record<string, number>>;
}

/** Mean over seeds, sample standard deviation (n − 1; null for fewer than two), number of seeds; `shared`: one run computed for several seeds. */
export interface SeedStat {
  readonly mean: number;
  readonly std: number | null;
  readonly n: number;
  readonly shared: boolean;
}

/** One row of the paper next to ours. */
export interface ComparedRow {
  /** The paper's row (its method, schedule, calibration), or ours when the paper has no such row. */
  readonly label: string;
  readonly paper: ReportedRow | null;
  /** Our row label, or null when the paper's row is not one of ours. */
  readonly ours: string | null;
  /** Ours per column key (null: no finished run gives it). */
  readonly cells: Readonly<Record<string, SeedStat | null>>;
  /**
   * Our visual tokens as the paper counts them: per benchmark the mean over seeds of the mean per
   * answered question (class token included), then the unweighted mean over the benchmarks; the
   * spread is the same mean of the per-benchmark population stds. In percent of the unmerged count
   * when the paper gives a percentage.
   */
  readonly tokens: { readonly mean: number; readonly std: number } | null;
}

export interface Comparison {
  /** Column keys in the paper's order, `avg` last when the paper has it. */
  readonly columns: readonly string[];
  readonly rows: readonly ComparedRow[];
}

const sampleStd = (values: readonly number[]): number | null => {
  if (values.length < 2) return null;
  const m = mean(values);
  return Math.sqrt(values.reduce((s, v) => s + (v - m) ** 2, 0) / (values.length - 1));
};
/** A column's values per seed; the key null holds a run shared by every seed, alone (no seeded run beside it). */
interface PerSeed {
  readonly values: Map<number | null, number>;
  /** The values come from one run computed once for several seeds. */
  readonly shared: boolean;
}

const stat = ({ values, shared }: PerSeed): SeedStat | null => {
  const list = [...values.values()];
  return list.length === 0 ? null : { mean: mean(list), std: sampleStd(list), n: list.length, shared };
};

/**
 * The value of a column in each seed of a row's runs (several inputs of one benchmark: their mean;
 * a shared input counts in every seed of the seeded ones beside it).
 */
function perSeed(runs: readonly OurRun[], key: string): PerSeed {
  const column = PAPER_COLUMNS[key];
  const bySeed = new Map<number | null, number[]>();
  if (!column?.metric) return { values: new Map(), shared: false };
  let shared = true;
  for (const run of runs) {
    const value = run.metrics[column.metric];
    if (value === undefined || (column.benchmark !== undefined && run.benchmark !== column.benchmark)) continue;
    bySeed.set(run.seed, [...(bySeed.get(run.seed) ?? []), value]);
    shared &&= run.seed === null && (run.seeds ?? 1) > 1;
  }
  const once = bySeed.get(null);
  if (once && bySeed.size > 1) {
    bySeed.delete(null);
    for (const values of bySeed.values()) values.push(...once);
  }
  return { values: new Map([...bySeed].map(([seed, values]) => [seed, mean(values)])), shared: shared && bySeed.size > 0 };
}

/**
 * The Avg of ours: the paper's average of the per-benchmark means over their seeds (a benchmark
 * run three times, as the paper does MME and LLaVA-Bench, enters with the mean of its three runs);
 * its spread: the sample std over the seeds that have all nine benchmarks.
 */
function averageStat(bySeed: ReadonlyMap<string, PerSeed>): SeedStat | null {
  const values = (key: string) => bySeed.get(key)!.values;
  const means = Object.fromEntries(AVERAGED.map((key) => [key, values(key).size === 0 ? undefined : mean([...values(key).values()])]));
  const average = paperAverage(means);
  if (average === null) return null;
  // A benchmark computed once (key null) enters every seed with its one value.
  const at = (key: string, seed: number | null) => values(key).get(seed) ?? values(key).get(null);
  const seeded = [...new Set(AVERAGED.flatMap((key) => [...values(key).keys()].filter((seed) => seed !== null)))];
  const seeds = (seeded.length === 0 ? [null] : seeded).filter((seed) => AVERAGED.every((key) => at(key, seed) !== undefined));
  const perSeedAverage = seeds.map((seed) => paperAverage(Object.fromEntries(AVERAGED.map((key) => [key, at(key, seed)])))!);
  const counts = AVERAGED.filter((key) => !values(key).has(null)).map((key) => values(key).size);
  return { mean: average, std: sampleStd(perSeedAverage), n: counts.length === 0 ? 1 : Math.min(...counts), shared: AVERAGED.every((key) => bySeed.get(key)!.shared) };
}

/**
 * Our visual tokens (see ComparedRow.tokens); `percent`: relative to the unmerged count, per image
 * where the run has it (`tokens_share`, OneVision's AnyRes), else of the mean (`tokens_cls_full`).
 */
function tokenStat(runs: readonly OurRun[], percent: boolean): ComparedRow['tokens'] {
  const inputs = new Map<string, OurRun[]>();
  for (const run of runs) if (run.metrics.tokens_cls !== undefined) inputs.set(run.benchmark ?? '', [...(inputs.get(run.benchmark ?? '') ?? []), run]);
  if (inputs.size === 0) return null;
  const scale = (run: OurRun) => (percent ? 100 / run.metrics.tokens_cls_full : 1);
  const share = (run: OurRun) => percent && run.metrics.tokens_share !== undefined;
  const perInput = [...inputs.values()].map((own) => ({
    mean: mean(own.map((r) => (share(r) ? 100 * r.metrics.tokens_share : r.metrics.tokens_cls * scale(r)))),
    std: mean(own.map((r) => (share(r) ? 100 * (r.metrics.tokens_share_std ?? NaN) : (r.metrics.tokens_cls_std ?? NaN) * scale(r)))),
  }));
  return { mean: mean(perInput.map((p) => p.mean)), std: mean(perInput.map((p) => p.std)) };
}

/** One row of ours: every column's mean ± std over seeds, Avg, and visual tokens. */
function ourCells(runs: readonly OurRun[], columns: readonly string[], percentTokens: boolean): Pick<ComparedRow, 'cells' | 'tokens'> {
  const bySeed = new Map([...new Set([...columns, ...AVERAGED])].map((key) => [key, perSeed(runs, key)]));
  const cells = Object.fromEntries(columns.map((key) => [key, key === 'avg' ? averageStat(bySeed) : stat(bySeed.get(key)!)]));
  return { cells, tokens: tokenStat(runs, percentTokens) };
}

/** `method [schedule] [calibration]`: what tells the paper's rows of one table apart besides tokens. */
export function paperRowLabel(row: ReportedRow): string {
  return [row.fields.method, row.fields.schedule, row.fields.calibration].filter((s) => s !== '').join(', ');
}

/**
 * The paper's table next to ours: every row of the paper in its order (with ours when a row of
 * ours is mapped to it), then rows of ours the paper does not have. `mapping` pairs our row labels
 * with the CSV fields of the paper's row (each must pick exactly one; the error names `file`).
 */
export function comparePaper(
  reported: readonly ReportedRow[],
  mapping: readonly { readonly label: string; readonly match: Readonly<Record<string, string>> }[],
  runs: readonly OurRun[],
  ourRows: readonly string[],
  file = '',
): Comparison {
  const keys = [...new Set(reported.flatMap((r) => [...r.values.keys()]))];
  const columns = [...keys.filter((k) => k !== 'avg'), ...(keys.includes('avg') ? ['avg'] : [])];
  const paired = new Map<ReportedRow, string>();
  for (const { label, match } of mapping) {
    const found = reported.filter((r) => Object.entries(match).every(([field, value]) => r.fields[field as keyof ReportedRow['fields']] === value));
    if (found.length !== 1) {
      const choices = reported.map((r) => `${paperRowLabel(r)} (tokens ${r.tokens})`).join('; ');
      throw new DymuError(`${JSON.stringify(match)} picks ${found.length} of the paper's rows, not one (rows: ${choices})`, { file, field: `paper.rows.${label}` });
    }
    paired.set(found[0], label);
  }
  const rowsOf = (label: string) => runs.filter((r) => r.row === label);
  const compared: ComparedRow[] = reported.map((paper) => {
    const ours = paired.get(paper) ?? null;
    const percent = paper.tokens.includes('%');
    return { label: paperRowLabel(paper), paper, ours, ...(ours === null ? { cells: {}, tokens: null } : ourCells(rowsOf(ours), columns, percent)) };
  });
  const unpaired = ourRows.filter((label) => ![...paired.values()].includes(label));
  return { columns, rows: [...compared, ...unpaired.map((label) => ({ label, paper: null, ours: label, ...ourCells(rowsOf(label), columns, false) }))] };
}
