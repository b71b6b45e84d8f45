import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Pope } from '@dymu/benchmarks';
import { AVERAGED, PAPER_COLUMNS, paperAverage } from '../src/paper/columns.ts';
import { comparePaper, type OurRun } from '../src/paper/compare.ts';
import { comparisonLatex, comparisonMarkdown, spreadNotes } from '../src/paper/format.ts';
import { parseReported, readReported, type ReportedRow } from '../src/paper/reported.ts';
import { benchmarkFixture } from '../src/resources/benchmark-fixtures.ts';
import { paperScore } from '../src/tasks/paper-score.ts';
import { tokenMetrics } from '../src/tasks/tokens.ts';
import { workspace } from './helpers.ts';

const REPORTED = join(import.meta.dirname, '..', '..', '..', 'paper', 'dymu-reported.csv');

/** A row of ours over the nine benchmarks, every benchmark's summary as the benchmark task writes it. */
function nine(row: string, seed: number | null, scores: Record<string, number>, tokens = { tokens_cls: 100, tokens_cls_std: 10 }): OurRun[] {
  const byBenchmark = new Map<string, Record<string, number>>();
  for (const [key, value] of Object.entries(scores)) {
    const { benchmark, metric } = PAPER_COLUMNS[key];
    byBenchmark.set(benchmark!, { ...byBenchmark.get(benchmark!), [metric!]: value, ...tokens });
  }
  return [...byBenchmark].map(([benchmark, metrics]) => ({ row, benchmark, seed, metrics }));
}

/** The paper's nine values of a reported row as a benchmark-task summary would hold them. */
const reportedScores = (row: ReportedRow): Record<string, number> =>
  Object.fromEntries([...row.values].filter(([key]) => key !== 'avg' && PAPER_COLUMNS[key]?.benchmark).map(([key, value]) => [key, Number(value)]));

describe("the paper's conventions (DYMU.md §9)", () => {
  it('visual tokens: per answered question, with and without the class token; per benchmark mean and population std', () => {
    const rows = [10, 20, 30, 40].map((n) => ({ tokens: n - 1, tokens_cls: n, group: '' }));
    const m = tokenMetrics(rows);
    expect([m.tokens_cls, m.tokens]).toEqual([25, 24]);
    expect(m.tokens_cls_std).toBeCloseTo(Math.sqrt(125), 12); // population: (225 + 25 + 25 + 225) / 4
    expect(m.tokens_std).toBeCloseTo(Math.sqrt(125), 12);
  });

  it('Avg: the unweighted mean of nine, MME as (perception + cognition) / 2800 · 100', () => {
    const scores = { gqa: 60, mmbench: 62, mme_all: 1820, pope: 86, scienceqa_img: 69, seed_img: 65, textvqa: 53, mmvet: 30, llava_bench_wild: 63 };
    expect(AVERAGED).toEqual(['gqa', 'mmbench', 'mme_all', 'pope', 'scienceqa_img', 'seed_img', 'textvqa', 'mmvet', 'llava_bench_wild']);
    expect(paperAverage(scores)).toBeCloseTo((60 + 62 + 65 + 86 + 69 + 65 + 53 + 30 + 63) / 9, 12); // 1820 / 28 = 65
    expect(paperAverage({ ...scores, mmvet: undefined })).toBeNull();
    expect(paperScore('mme', { perception: 1400, cognition: 420, total: 1820 })).toEqual({ score: 65 });
    expect(paperScore('llava_bench_wild', { relative: 61 })).toEqual({ score: 61 });
    expect(paperScore('mmvet', { count: 3 })).toEqual({});
  });

  it('POPE: the mean of the three splits, not the pooled accuracy', async () => {
    const root = await benchmarkFixture('pope', 0, workspace('pope-').cache);
    const pope = new Pope({ root });
    // adversarial: 1 of 1 right; popular: 1 of 2; random: 0 of 2 → (100 + 50 + 0) / 3 = 50 (pooled: 2 / 5 = 40)
    const scores = await pope.score([
      { id: 'adversarial/0', answer: 'Yes' },
      { id: 'popular/10', answer: 'Yes' },
      { id: 'popular/11', answer: 'Yes' },
      { id: 'random/20', answer: 'No' },
      { id: 'random/21', answer: 'Yes' },
    ]);
    expect(scores.metrics.accuracy).toBe(50);
    expect(PAPER_COLUMNS.pope.metric).toBe('accuracy');
  });

  it('a row of ours: per benchmark the mean over its runs (MME and LLaVA-Bench: three), Avg of those means, spread over seeds', () => {
    const base = { gqa: 60, mmbench: 62, pope: 86, scienceqa_img: 69, seed_img: 65, textvqa: 53, mmvet: 30 };
    const runs = [
      ...nine('DyMU', 0, { ...base, mme_perception: 1400, mme_all: 1792, llava_bench_wild: 60 }, { tokens_cls: 80, tokens_cls_std: 20 }),
      ...nine('DyMU', 1, { mme_perception: 1410, mme_all: 1820, llava_bench_wild: 63 }, { tokens_cls: 80, tokens_cls_std: 20 }),
      ...nine('DyMU', 2, { mme_perception: 1420, mme_all: 1848, llava_bench_wild: 66 }, { tokens_cls: 80, tokens_cls_std: 20 }),
    ];
    // GQA's questions kept more tokens: the count is the unweighted mean over the benchmarks
    runs[0] = { ...runs[0], metrics: { ...runs[0].metrics, tokens_cls: 120, tokens_cls_std: 40 } };
    const reported = parseReported('table,model,group,method,schedule,calibration,tokens,tokens_std,benchmark,value\n9,M,,DyMU,,,89,27,gqa,60.8\n9,M,,DyMU,,,89,27,avg,61.5\n', '9', 'x.csv');
    const { rows: [row] } = comparePaper(reported, [{ label: 'DyMU', match: { method: 'DyMU' } }], runs, ['DyMU']);
    expect(row.cells.gqa).toEqual({ mean: 60, std: null, n: 1, shared: false });
    expect(row.cells.avg!.mean).toBeCloseTo((60 + 62 + 1820 / 28 + 86 + 69 + 65 + 53 + 30 + 63) / 9, 12);
    expect(row.cells.avg!.n).toBe(1); // only seed 0 has all nine: no spread over seeds
    expect(row.cells.avg!.std).toBeNull();
    // 8 benchmarks at 80 ± 20, gqa at 120 ± 40 (its seed-0 run; its mean over its own seeds)
    expect(row.tokens!.mean).toBeCloseTo((8 * 80 + 120) / 9, 12);
    expect(row.tokens!.std).toBeCloseTo((8 * 20 + 40) / 9, 12);
  });

  it('ours over several seeds: mean and sample std per benchmark and for Avg', () => {
    const scores = (shift: number) => ({ gqa: 60 + shift, mmbench: 62, mme_perception: 1400, mme_all: 1820, pope: 86, scienceqa_img: 69, seed_img: 65, textvqa: 53, mmvet: 30, llava_bench_wild: 63 });
    const runs = [...nine('r', 0, scores(0)), ...nine('r', 1, scores(9))];
    const reported = parseReported('table,model,group,method,schedule,calibration,tokens,tokens_std,benchmark,value\n9,M,,r,,,5,,gqa,60.0\n9,M,,r,,,5,,avg,61.5\n', '9', 'x.csv');
    const { rows: [row] } = comparePaper(reported, [{ label: 'r', match: { method: 'r' } }], runs, ['r']);
    expect(row.cells.gqa).toEqual({ mean: 64.5, std: Math.sqrt(40.5), n: 2, shared: false }); // values 60 and 69
    expect(row.cells.avg!.std).toBeCloseTo(Math.SQRT1_2, 12); // the two seeds' Avgs differ by 9 / 9 = 1
    expect(row.cells.avg!.n).toBe(2);
  });

  it('a benchmark computed once for three seeds is n = 1, never ± 0; in the Avg it counts in every seed of the judged ones', () => {
    const once = { gqa: 60, mmbench: 62, mme_perception: 1400, mme_all: 1820, pope: 86, scienceqa_img: 69, seed_img: 65, textvqa: 53, mmvet: 30 };
    const runs = [
      ...nine('r', null, once).map((run) => ({ ...run, seeds: 3 })),
      ...[0, 1].flatMap((seed) => nine('r', seed, { llava_bench_wild: 63 + 9 * seed })),
    ];
    const reported = parseReported('table,model,group,method,schedule,calibration,tokens,tokens_std,benchmark,value\n9,M,,r,,,5,,gqa,60.0\n9,M,,r,,,5,,avg,61.5\n', '9', 'x.csv');
    const comparison = comparePaper(reported, [{ label: 'r', match: { method: 'r' } }], runs, ['r']);
    const [row] = comparison.rows;
    expect(row.cells.gqa).toEqual({ mean: 60, std: null, n: 1, shared: true });
    const avg = (w: number) => (60 + 62 + 1820 / 28 + 86 + 69 + 65 + 53 + 30 + w) / 9;
    expect(row.cells.avg!.mean).toBeCloseTo((avg(63) + avg(72)) / 2, 12);
    expect(row.cells.avg!.std).toBeCloseTo(Math.SQRT1_2, 12); // the two judged seeds' Avgs differ by 9 / 9 = 1
    expect(row.cells.avg).toMatchObject({ n: 2, shared: false });
    const markdown = comparisonMarkdown(comparison, { title: 't', commands: new Map() });
    expect(markdown).toContain(`| r | ours | 100.0 ± 10.0 | 60.0 (n = 1) | ${((avg(63) + avg(72)) / 2).toFixed(1)} ± 0.7 |`);
    // Each ± says what it is: the tokens' over images, Avg's over its 2 seeds; the shared GQA shows none.
    expect(spreadNotes(comparison)).toEqual([
      "visual tokens: per benchmark the mean per answered question (class token included) ± the population standard deviation over its questions' images, both averaged over the benchmarks (ours: over the runs of a benchmark first); this ± is the spread over images, not over seeds, as the paper reports it",
      'the other columns of ours: mean ± sample standard deviation over 2 seeds (the seeds per cell in the CSV)',
      '(n = 1): one run computed once for all the seeds (greedy answers draw nothing from a seed): one value, no spread',
    ]);
    for (const note of spreadNotes(comparison)) expect(markdown).toContain(`\n\n${note}\n\n`);
    expect(comparisonLatex(comparison, { title: 't', commands: new Map() }).split('\n').slice(0, 4)).toEqual(['% t', ...spreadNotes(comparison).map((n) => `% ${n}`)]);
  });
});

describe('the reported numbers through the same table code', () => {
  // Feed every reported row to the comparison as if it were ours (one seed, the paper's values as
  // the benchmarks' summary metrics) and check that our Avg is the paper's Avg to one decimal.
  for (const table of ['2', '3', '5', '6', '7']) {
    it(`reproduces the Avg column of Table ${table}`, () => {
      const reported = readReported(REPORTED, table);
      const label = (r: ReportedRow) => `${r.fields.method}|${r.fields.tokens}|${r.fields.schedule}|${r.fields.calibration}`;
      const runs = reported.flatMap((r) => nine(label(r), 0, reportedScores(r)));
      const mapping = reported.map((r) => ({ label: label(r), match: { method: r.fields.method, tokens: r.fields.tokens, schedule: r.fields.schedule, calibration: r.fields.calibration } }));
      const comparison = comparePaper(reported, mapping, runs, reported.map(label));
      const withAvg = comparison.rows.filter((r) => r.paper!.values.has('avg'));
      for (const row of comparison.rows) {
        const paper = row.paper!.values.get('avg');
        if (paper === undefined) {
          // rows the paper quotes from other papers lack benchmarks, so there is no Avg to reproduce
          expect(AVERAGED.some((key) => !row.paper!.values.has(key)), row.label).toBe(true);
          expect(row.cells.avg, row.label).toBeNull();
        } else {
          expect(row.cells.avg!.mean.toFixed(1), `${row.label} ${row.paper!.tokens}`).toBe(paper);
        }
      }
      expect(withAvg.length).toBe({ 2: 7, 3: 5, 5: 3, 6: 4, 7: 2 }[table]);
    });
  }
});
