// The views of the results database (`results`, `results_runs`, `results_samples`), and every SQL
// example of the docs run against the results of two small experiments, as `dymu sql` runs it.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadExperiment } from '../src/config/load-experiment.ts';
import { knownNames } from '../src/di/lookup.ts';
import { planRuns } from '../src/plan/plan.ts';
import { RunDir } from '../src/results/run-dir.ts';
import { runExperiment } from '../src/runner/run-experiment.ts';
import { ResultsDb, runDirs } from '../src/tables/results-db.ts';
import { labelColumns, viewStatements } from '../src/tables/views.ts';
import { testContainer, workspace } from './helpers.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');

/** Where a query is written: `docs/experiments.md:9`. */
interface Example {
  readonly at: string;
  readonly sql: string;
}

/** A shell double-quoted word's text (`\"`, `\\`, `\$`, `` \` `` unescaped). */
const unquote = (word: string): string => word.replace(/\\(["\\$`])/g, '$1');

/**
 * The SQL examples of a Markdown file: every ```sql fence, and in other fences every query of
 * `dymu sql "…"` / `dymu -- sql "…"` (the quoted word may go on over several lines).
 */
function sqlExamples(file: string): Example[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const at = (line: number) => `${relative(ROOT, file)}:${line + 1}`;
  const examples: Example[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^\s*```(\w*)/.exec(lines[i]);
    if (!fence) continue;
    const start = i;
    while (++i < lines.length && !/^\s*```\s*$/.test(lines[i]));
    const body = lines.slice(start + 1, i).join('\n');
    if (fence[1] === 'sql') {
      examples.push({ at: at(start + 1), sql: body });
      continue;
    }
    for (const match of body.matchAll(/dymu (?:-- )?sql "((?:[^"\\]|\\.)*)"/g)) {
      const line = start + 1 + body.slice(0, match.index).split('\n').length - 1;
      examples.push({ at: at(line), sql: unquote(match[1]) });
    }
  }
  return examples;
}

const markdown = (dir: string) => readdirSync(join(ROOT, dir)).filter((f) => f.endsWith('.md')).map((f) => join(ROOT, dir, f));
const DOCS = [join(ROOT, 'README.md'), ...markdown('docs'), ...readdirSync(join(ROOT, 'packages')).map((p) => join(ROOT, 'packages', p, 'README.md'))];
const EXAMPLES = DOCS.flatMap((file) => {
  try {
    return sqlExamples(file);
  } catch {
    return []; // a package without README.md
  }
});

describe('the views of the results database and the SQL examples of the docs', () => {
  const ws = workspace('sql-views-');

  /** Rows of a query as `dymu sql` answers it: a database loaded with the tables the query names. */
  async function query(sql: string): Promise<{ columns: string[]; rows: unknown[][] }> {
    const db = await ResultsDb.open();
    try {
      await db.load(runDirs(ws.results), ResultsDb.tablesNamedIn(sql));
      return await db.query(sql, undefined, { file: 'command line', field: 'query' });
    } finally {
      db.close();
    }
  }

  beforeAll(async () => {
    // Two experiments with different sweeps, named like the ones the docs query: a `policy` sweep
    // over generated images (seeded), and a `policy+vtu` sweep over a benchmark's images (shared runs).
    const container = testContainer(ws);
    const files = [
      ws.write(
        'quickstart.yaml',
        `name: quickstart
model: { encoder: { generated: clip-vit, preset: tiny, seed: 0 } }
datasets: { generated: { name: generated, kinds: [flat, noise], count: 1, size: 64 } }
sweep: { policy: { none: none, ToMe: { name: tome, r: 4 } } }
seeds: [0, 1]
execution: { batch: 4, chunk: 4 }
`,
      ),
      ws.write(
        'table2.yaml',
        `name: table2
task: benchmark
model: { llm: { generated: llama, preset: tiny, seed: 0 } }
benchmarks: { POPE: { name: pope, root: { generated: fixture } }, SQA: { name: scienceqa_img, root: { generated: fixture } } }
sweep:
  policy+vtu:
    LLaVA-1.5-7B: { policy: none, vtu: false }
    DyMU-low: { policy: { name: dtome, thresholds: [0.9, 0.9, 0.9, 0.9] }, vtu: true }
limit: 20
seeds: [0, 1]
execution: { batch: 4, chunk: 4 }
`,
      ),
    ];
    for (const file of files) await runExperiment(loadExperiment(file, [], knownNames(container)), container);
  });

  it('results: one row per metric of a run, a typed column per label, one seed column; NULL where an experiment lacks a label', async () => {
    const { columns, rows } = await query('SELECT * FROM results ORDER BY experiment, run_id, metric');
    expect(columns).toEqual(['experiment', 'run_id', 'seed', 'task', 'policy', 'dataset', 'policy+vtu', 'benchmark', 'metric', 'value']);
    const metrics = await query('SELECT experiment, run_id, seed, metric, value FROM metrics ORDER BY experiment, run_id, metric');
    expect(rows.map((r) => [r[0], r[1], r[2], r[8], r[9]])).toEqual(metrics.rows);
    // Each run's labels, from its run.json.
    for (const name of ['quickstart', 'table2']) {
      for (const run of planRuns(loadExperiment(join(ws.dir, `${name}.yaml`), [], knownNames(testContainer(ws))))) {
        const labels = RunDir.of(ws.results, name, run.id).meta()!.labels;
        const found = await query(`SELECT DISTINCT policy, dataset, "policy+vtu", benchmark, seed FROM results WHERE run_id = '${run.id}'`);
        expect(found.rows).toEqual([[labels.policy ?? null, labels.dataset ?? null, labels['policy+vtu'] ?? null, labels.benchmark ?? null, run.seed]]);
      }
    }
    // The trap of the JSON column is gone: no parentheses, no join.
    expect((await query(`SELECT count(DISTINCT run_id) FROM results WHERE "policy+vtu" = 'DyMU-low'`)).rows).toEqual([[2]]);
    expect((await query(`SELECT seed, count(*) FROM results_runs WHERE experiment = 'table2' GROUP BY seed`)).rows).toEqual([[null, 4]]); // shared runs
  });

  it('results_runs, results_samples and results_scores: the run columns, labels, then the own columns of runs, samples and scores', async () => {
    const runs = await query('SELECT * FROM results_runs');
    expect(runs.columns).toEqual(['experiment', 'run_id', 'seed', 'status', 'task', 'policy', 'dataset', 'policy+vtu', 'benchmark', 'rows', 'total', 'finished_at']);
    expect(runs.rows).toHaveLength(8);
    const samples = await query('SELECT * FROM results_samples');
    expect(samples.columns.slice(0, 7)).toEqual(['experiment', 'run_id', 'seed', 'policy', 'dataset', 'policy+vtu', 'benchmark']);
    expect(samples.columns).toContain('tokens_cls');
    expect((await query('SELECT count(*) FROM samples')).rows).toEqual([[samples.rows.length]]);
    expect((await query("SELECT DISTINCT tokens_cls FROM results_samples WHERE policy = 'none'")).rows).toEqual([[65]]);
    const scores = await query('SELECT "policy+vtu", benchmark, count(*) FROM results_scores GROUP BY ALL ORDER BY ALL');
    expect(scores.rows).toEqual(['DyMU-low', 'LLaVA-1.5-7B'].flatMap((row) => [[row, 'POPE', 6], [row, 'SQA', 4]]));
    // Without a benchmark run there are no scores: the view is there, empty.
    const db = await ResultsDb.open();
    await db.load(runDirs(ws.results, 'quickstart'), { scores: true });
    expect((await db.query('SELECT count(*) FROM results_scores')).rows).toEqual([[0]]);
    db.close();
  });

  it('types each label column by its values and renames one that a column of the view has', () => {
    const columns = labelColumns([{ vtu: 'true', r: '4', scale: '0.5', task: 'tokens' }, { vtu: 'false', r: '16', scale: '2', policy: 'none' }]);
    expect(columns).toEqual([
      { key: 'vtu', type: 'BOOLEAN' },
      { key: 'r', type: 'BIGINT' },
      { key: 'scale', type: 'DOUBLE' },
      { key: 'task', type: 'VARCHAR' },
      { key: 'policy', type: 'VARCHAR' },
    ]);
    expect(labelColumns([{ r: '007' }, { r: '1' }])).toEqual([{ key: 'r', type: 'VARCHAR' }]); // 007 is text, not 7
    const [runs] = viewStatements([{ key: 'task', type: 'VARCHAR' }, { key: "it's", type: 'BIGINT' }]);
    expect(runs).toContain(`json_extract_string(r.labels, ['task'])[1] AS "label_task"`);
    expect(runs).toContain(`CAST(json_extract_string(r.labels, ['it''s'])[1] AS BIGINT) AS "it's"`);
  });

  it('finds the SQL examples of the docs', () => {
    const where = new Set(EXAMPLES.map((e) => e.at.split(':')[0]));
    expect([...where]).toEqual(expect.arrayContaining(['README.md', 'docs/experiments.md', 'docs/reproducing.md']));
    expect(EXAMPLES.length).toBeGreaterThanOrEqual(6);
  });

  for (const { at, sql } of EXAMPLES) {
    it(`${at} runs and answers rows`, async () => {
      const { rows } = await query(sql).catch((error: Error) => {
        throw new Error(`${at}: ${error.message}\n${sql}`);
      });
      expect(rows.length, `${at}: no rows from the example experiments\n${sql}`).toBeGreaterThan(0);
    });
  }
});
