import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Experiment } from '../src/config/experiment.ts';
import { loadExperiment } from '../src/config/load-experiment.ts';
import { knownNames } from '../src/di/lookup.ts';
import { planRuns } from '../src/plan/plan.ts';
import { RunDir } from '../src/results/run-dir.ts';
import { runExperiment } from '../src/runner/run-experiment.ts';
import { ResultsDb, runDirs } from '../src/tables/results-db.ts';
import { markdownTable, spreadNote } from '../src/tables/format.ts';
import type { CellStat, TableData } from '../src/tables/table.ts';
import { writeTables } from '../src/tables/write-tables.ts';
import { testContainer, workspace } from './helpers.ts';

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
/** Sample standard deviation (n − 1), what the tables report over seeds. */
const sampleStd = (v: number[]) => Math.sqrt(v.reduce((a, b) => a + (b - mean(v)) ** 2, 0) / (v.length - 1));

describe('tables from real runs', () => {
  const ws = workspace('tables-');
  let experiment: Experiment;

  beforeAll(async () => {
    const file = ws.write(
      'tables.yaml',
      `name: tables
model:
  encoder: { generated: clip-vit, preset: tiny, seed: 0 }
datasets:
  simple: { name: generated, kinds: [flat, gradient], count: 2 }
  complex: { name: generated, kinds: [texture, noise], count: 2 }
sweep:
  policy:
    none: none
    thresholds: { name: dtome, thresholds: [0.9, 0.9, 0.9, 0.9] }
seeds: [0, 1, 2]
execution: { batch: 4, chunk: 3 }
tables:
  - name: main
    title: Tokens
    metrics: [tokens_cls]
    average: true
    digits: 2
  - name: mapped
    metrics: [{ label: kind, metric: { simple: tokens_cls@flat, complex: tokens_cls@noise } }]
    average: true
    tokens: null
`,
    );
    const container = testContainer(ws);
    experiment = loadExperiment(file, [], knownNames(container));
    await runExperiment(experiment, container);
  });

  it('computes mean ± std over seeds with DuckDB, as by hand from the rows', async () => {
    const runs = planRuns(experiment);
    expect(runs).toHaveLength(12);
    // Per run: the mean of tokens_cls over its rows, read straight from the Arrow chunks.
    const perRun = new Map(runs.map((r) => [r.id, mean(RunDir.of(ws.results, 'tables', r.id).rows().map((row) => row.tokens_cls as number))]));
    const values = (policy: string, dataset: string) => runs.filter((r) => r.labels.policy === policy && r.labels.dataset === dataset).map((r) => perRun.get(r.id)!);
    const averaged = (policy: string) => [0, 1, 2].map((seed) => mean(runs.filter((r) => r.labels.policy === policy && r.seed === seed).map((r) => perRun.get(r.id)!)));

    const [table] = await writeTables(experiment, ws.results);
    expect(table.data!.columns).toEqual(['simple: tokens_cls', 'complex: tokens_cls', 'avg tokens_cls', 'visual tokens']);
    expect(table.data!.rows.map((r) => r.label)).toEqual(['none', 'thresholds']);
    const merged = table.data!.rows[1].cells;
    const expected = [values('thresholds', 'simple'), values('thresholds', 'complex'), averaged('thresholds'), averaged('thresholds')];
    expected.forEach((v, i) => {
      expect(merged[i]!.n).toBe(3);
      expect(merged[i]!.mean).toBeCloseTo(mean(v), 10);
      expect(merged[i]!.std!).toBeCloseTo(sampleStd(v), 10);
    });
    expect(sampleStd(values('thresholds', 'complex'))).toBeGreaterThan(0); // each seed draws other images
    expect(mean(values('thresholds', 'simple'))).toBeLessThan(mean(values('thresholds', 'complex')));
    expect(table.data!.rows[0].cells.map((c) => [c!.mean, c!.std])).toEqual([[65, 0], [65, 0], [65, 0], [65, 0]]);

    const f = (v: number[]) => `${mean(v).toFixed(2)} ± ${sampleStd(v).toFixed(2)}`;
    expect(table.markdown).toBe(
      [
        '**Tokens**',
        '',
        '| policy | simple: tokens_cls | complex: tokens_cls | avg tokens_cls | visual tokens |',
        '|:--|--:|--:|--:|--:|',
        '| none | 65.00 ± 0.00 | 65.00 ± 0.00 | 65.00 ± 0.00 | 65.00 ± 0.00 |',
        `| thresholds | ${expected.map(f).join(' | ')} |`,
        '',
        'Cells: the mean over seeds; ± = sample standard deviation over the 3 seeds, in the visual tokens column too (the spread of its per-seed means, not over images).',
        '',
      ].join('\n'),
    );
    expect(table.files.map((p) => p.slice(p.lastIndexOf('/') + 1))).toEqual(['main.md', 'main.csv', 'main.tex']);
    expect(readFileSync(join(ws.results, 'tables', 'tables', 'main.csv'), 'utf8').split('\n')[0]).toBe(
      ['policy', ...['simple: tokens_cls', 'complex: tokens_cls', 'avg tokens_cls', 'visual tokens'].flatMap((c) => [`${c} mean`, `${c} std over seeds`, `${c} seeds`])].join(','),
    );
    const tex = readFileSync(join(ws.results, 'tables', 'tables', 'main.tex'), 'utf8');
    expect(tex).toContain(`thresholds & $${f(expected[0]).replace('±', '\\pm')}$ &`);
    expect(tex.split('\n').slice(0, 2)).toEqual(['% Tokens', `% ${table.markdown.trimEnd().split('\n').at(-1)}`]);
  });

  it('picks a metric per dataset/benchmark when the spec maps them', async () => {
    const runs = planRuns(experiment).filter((r) => r.labels.policy === 'thresholds');
    const groupMean = (id: string, group: string) => mean(RunDir.of(ws.results, 'tables', id).rows().filter((r) => r.group === group).map((r) => r.tokens_cls as number));
    const pick = (r: (typeof runs)[number]) => groupMean(r.id, r.labels.dataset === 'simple' ? 'flat' : 'noise');
    const simple = runs.filter((r) => r.labels.dataset === 'simple').map(pick);
    const averaged = [0, 1, 2].map((seed) => mean(runs.filter((r) => r.seed === seed).map(pick)));
    const [, mapped] = await writeTables(experiment, ws.results);
    expect(mapped.data!.columns).toEqual(['simple: kind', 'complex: kind', 'avg kind']);
    const [first, , avg] = mapped.data!.rows[1].cells;
    expect(first!.mean).toBeCloseTo(mean(simple), 10);
    expect(avg!.mean).toBeCloseTo(mean(averaged), 10);
    expect(avg!.std!).toBeCloseTo(sampleStd(averaged), 10);
  });

  it('says under each table what its ± is, for the cells it shows', () => {
    const cell = (n: number, std: number | null, shared = false): CellStat => ({ mean: 1, std, n, shared });
    const table = (cells: CellStat[], seeds = 3, columns = ['a']): TableData => ({ name: 't', title: null, rowHeader: 'r', columns, rows: cells.map((c, i) => ({ label: `${i}`, cells: [c] })), seeds });
    expect(spreadNote(table([cell(3, 0.5)], 3, ['a', 'visual tokens']))).toBe(
      'Cells: the mean over seeds; ± = sample standard deviation over the 3 seeds, in the visual tokens column too (the spread of its per-seed means, not over images).',
    );
    expect(spreadNote(table([cell(3, 0.5), cell(2, 0.1)]))).toBe('Cells: the mean over seeds; ± = sample standard deviation over the 3 seeds; (n=k): only k of the 3 seeds finished, the spread is over those.');
    // A shared run is one value: no ± is explained, as none is shown.
    const shared = table([cell(1, null, true)]);
    expect(spreadNote(shared)).toBe('Cells: the mean over seeds; (n = 1): one run computed once for all the seeds (nothing in it draws from a seed): one value, no spread.');
    expect(markdownTable(shared, 1)).toContain('| 0 | 1.0 (n = 1) |');
    expect(spreadNote(table([cell(1, null)], 1))).toBe('Cells: the mean over seeds; a value alone: one seed, no spread.');
  });

  it('answers ad-hoc SQL over runs, metrics and samples', async () => {
    const db = await ResultsDb.open();
    await db.load(runDirs(ws.results), { samples: true });
    const runs = await db.query("SELECT count(*) AS n, count(DISTINCT seed) AS seeds FROM runs WHERE status = 'done'");
    expect(runs.rows).toEqual([[12, 3]]);
    const samples = await db.query("SELECT labels->>'dataset' AS dataset, count(*) AS n, max(len(block_counts)) AS blocks FROM samples JOIN runs USING (experiment, run_id) GROUP BY ALL ORDER BY ALL");
    expect(samples.rows).toEqual([['complex', 24, 3], ['simple', 24, 3]]);
    const metric = await db.query("SELECT value FROM metrics WHERE metric = 'samples' LIMIT 1");
    expect(metric.rows).toEqual([[4]]);
    db.close();
  });
});
