import { describe, expect, it } from 'vitest';
import type { Known } from '../src/config/experiment.ts';
import { loadExperiment } from '../src/config/load-experiment.ts';
import { knownNames } from '../src/di/lookup.ts';
import { DATASETS } from '../src/di/tokens.ts';
import { planRuns } from '../src/plan/plan.ts';
import { runId } from '../src/plan/run-id.ts';
import { seedDependence } from '../src/plan/seed-use.ts';
import { RunDir } from '../src/results/run-dir.ts';
import { describePlan } from '../src/runner/describe.ts';
import { runExperiment } from '../src/runner/run-experiment.ts';
import { planStatus } from '../src/runner/status.ts';
import { writeTables } from '../src/tables/write-tables.ts';
import { testContainer, workspace } from './helpers.ts';

const known: Known = {
  tasks: { tokens: { inputs: ['dataset', 'benchmark'] }, benchmark: { inputs: ['benchmark'] }, calibrate: { inputs: [] } },
  policies: ['none', 'tome', 'dtome'],
  datasets: ['folder', 'generated'],
  benchmarks: ['pope', 'mme', 'llava_bench_wild'],
};

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
const sampleStd = (v: number[]) => Math.sqrt(v.reduce((a, b) => a + (b - mean(v)) ** 2, 0) / (v.length - 1));

describe('runs that draw nothing from the seed', () => {
  const ws = workspace('shared-');
  const plan = (text: string, overrides: string[] = []) => planRuns(loadExperiment(ws.write('exp.yaml', `model: { encoder: /m }\nseeds: [0, 1, 2]\n${text}`), overrides, known, {}));

  it('are planned once for every seed; a seeded subset, a generated dataset without its own seed or a judge keep one run per seed', () => {
    const deterministic = plan('datasets: [{ name: folder, dir: /images }]\n');
    expect(deterministic.map((r) => [r.seed, r.seeds])).toEqual([[null, [0, 1, 2]]]);
    expect(deterministic[0].id).toBe(runId(deterministic[0].config, null));
    // The same configuration under other seeds is the same run (its results serve them too).
    expect(plan('datasets: [{ name: folder, dir: /images }]\n', ['seeds=[7]'])[0].id).toBe(deterministic[0].id);

    const subset = plan('datasets: [{ name: folder, dir: /images }]\nlimit: 5\n');
    expect(subset.map((r) => r.seed)).toEqual([0, 1, 2]);
    expect(new Set(subset.map((r) => r.id)).size).toBe(3);
    expect(seedDependence(subset[0].config)).toBe('limit');
    expect(plan('datasets: [{ name: generated, count: 2 }]\n').map((r) => r.seed)).toEqual([0, 1, 2]);
    expect(plan('datasets: [{ name: generated, count: 2, seed: 4 }]\n').map((r) => r.seed)).toEqual([null]);

    // Greedy answers on the first `limit` questions: shared, limit or not; a judge samples its grades: per seed.
    const answers = plan('task: benchmark\nlimit: 10\nbenchmarks:\n  MME: { name: mme, root: /mme }\n  W: { name: llava_bench_wild, root: /w, judge: { baseUrl: "http://x", model: gpt-4-0314 } }\n  W0: { name: llava_bench_wild, root: /w, judge: null }\n');
    expect(answers.map((r) => `${r.labels.benchmark}/${r.seed}`)).toEqual(['MME/null', 'W/0', 'W/1', 'W/2', 'W0/null']);
    // Calibrations draw with their own seed.
    expect(plan('task: calibrate\npolicy: { name: dtome, variant: mid }\ncalibration: { dataset: { name: generated, count: 2 }, count: 2, seed: 3 }\n').map((r) => r.seed)).toEqual([null]);
  });

  it('run once, show as `mean (n = 1)` in tables (and with seeded inputs count in each of their seeds), and --dry-run says so', async () => {
    const container = testContainer(ws);
    const file = ws.write(
      'shared.yaml',
      `name: shared
model:
  encoder: { generated: clip-vit, preset: tiny, seed: 0 }
datasets:
  fixed: { name: generated, kinds: [texture, noise], count: 2, seed: 11 }
  drawn: { name: generated, kinds: [texture, noise], count: 2 }
policy: { name: dtome, thresholds: [0.9, 0.9, 0.9, 0.9] }
seeds: [0, 1, 2]
tables:
  - { name: main, metrics: [tokens_cls], average: true, tokens: null, digits: 3 }
`,
    );
    const experiment = loadExperiment(file, [], knownNames(container));
    const runs = planRuns(experiment);
    expect(runs.map((r) => `${r.labels.dataset}/${r.seed}`)).toEqual(['fixed/null', 'drawn/0', 'drawn/1', 'drawn/2']);
    const dry = describePlan(experiment, planStatus(experiment, ws.results), new Set(runs.map((r) => r.id)));
    expect(dry).toContain('2 configurations × 3 seeds = 4 runs instead of 6 (1 shared by all their seeds: nothing in them draws from a seed), 4 selected');
    expect(dry).toContain(`* ${runs[0].id}  seeds 0, 1, 2 (shared)  new`);
    expect(dry).toContain(`* ${runs[1].id}  seed 0  new`);

    const outcomes = await runExperiment(experiment, container);
    expect(outcomes.map((o) => o.outcome)).toEqual(['computed', 'computed', 'computed', 'computed']);
    expect(RunDir.of(ws.results, 'shared', runs[0].id).meta()!.seed).toBeNull();

    // By hand from the rows: the shared run is one value; the average pairs it with each seed's drawn run.
    const perRun = runs.map((r) => mean(RunDir.of(ws.results, 'shared', r.id).rows().map((row) => row.tokens_cls as number)));
    const drawn = perRun.slice(1);
    expect(sampleStd(drawn)).toBeGreaterThan(0);
    const averages = drawn.map((d) => (perRun[0] + d) / 2);
    const [table] = await writeTables(experiment, ws.results);
    const [, , row] = table.markdown.trim().split('\n');
    expect(row).toBe(`| dtome(thresholds=[0.9, 0.9, 0.9, 0.9]) | ${perRun[0].toFixed(3)} (n = 1) | ${mean(drawn).toFixed(3)} ± ${sampleStd(drawn).toFixed(3)} | ${mean(averages).toFixed(3)} ± ${sampleStd(averages).toFixed(3)} |`);
    expect(table.markdown.trimEnd().split('\n').at(-1)).toBe(
      'Cells: the mean over seeds; ± = sample standard deviation over the 3 seeds; (n = 1): one run computed once for all the seeds (nothing in it draws from a seed): one value, no spread.',
    );
  });

  it('a dataset that reads the seed of a run planned as shared is an error naming it', async () => {
    const container = testContainer(ws);
    container.bind(DATASETS).toConstantValue({ name: 'drawing', open: (_params, context) => ({ name: 'drawing', records: async function* () { yield { id: String(context.seed), imagePath: '/x.png', source: 'drawing' }; } }) });
    const file = ws.write('drawing.yaml', 'model: { encoder: { generated: clip-vit, preset: tiny, seed: 0 } }\ndatasets: [drawing]\nseeds: [0, 1]\n');
    const experiment = loadExperiment(file, [], knownNames(container));
    await expect(runExperiment(experiment, container)).rejects.toThrow(`${file}: datasets[0]: dataset "drawing" draws from the run's seed, but the run was planned as shared by every seed`);
  });
});
