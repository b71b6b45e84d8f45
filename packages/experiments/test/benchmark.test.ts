import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Benchmark, BenchmarkSample, BenchmarkScores, Prediction } from '@dymu/benchmarks';
import { loadExperiment } from '../src/config/load-experiment.ts';
import { knownNames } from '../src/di/lookup.ts';
import { BENCHMARKS } from '../src/di/tokens.ts';
import { planRuns } from '../src/plan/plan.ts';
import { readArrowFile } from '../src/results/arrow.ts';
import { RunDir } from '../src/results/run-dir.ts';
import { runExperiment } from '../src/runner/run-experiment.ts';
import { testContainer, workspace } from './helpers.ts';

const IMAGES = join(import.meta.dirname, '..', '..', '..', 'assets', 'images');

/** A new benchmark: "is there a cat?" on the bundled photos, scored by exact yes/no match. */
class CatBenchmark implements Benchmark<string> {
  readonly name = 'cats';
  readonly split = 'all';
  readonly missingImages: string[] = [];

  async *samples(options: { limit?: number } = {}): AsyncIterable<BenchmarkSample> {
    const files = readdirSync(IMAGES).filter((f) => f.endsWith('.jpg')).sort().slice(0, options.limit);
    for (const f of files) yield { id: f, image: join(IMAGES, f), prompt: 'Is there a cat? Answer yes or no.', meta: { kind: 'photo' } };
  }

  parse(prediction: Prediction): string {
    return /\byes\b/i.test(prediction.answer) ? 'yes' : 'no';
  }

  async score(predictions: readonly Prediction[]): Promise<BenchmarkScores> {
    const rows = predictions.map((p) => ({ id: p.id, parsed: this.parse(p), score: Number(this.parse(p) === (p.id === 'chelsea.jpg' ? 'yes' : 'no')) }));
    const accuracy = (100 * rows.reduce((a, r) => a + r.score, 0)) / rows.length;
    return { benchmark: this.name, split: this.split, metrics: { accuracy, count: rows.length, missing_images: 0 }, rows, missingImages: [] };
  }

  writeSubmission(): void {}
}

describe('the benchmark task', () => {
  it('answers a registered benchmark with a generated VLM, with and without merging, and scores it', async () => {
    const ws = workspace('benchmark-');
    const container = testContainer(ws);
    container.bind(BENCHMARKS).toConstantValue({ name: 'cats', open: () => new CatBenchmark() });
    const file = ws.write(
      'cats.yaml',
      `name: cats
task: benchmark
model:
  llm: { generated: llama, preset: tiny, seed: 0 }
benchmarks: [cats]
limit: 2
seeds: [0]
sweep:
  policy:
    none: none
    ToMe: { name: tome, r: 8 }
`,
    );
    const experiment = loadExperiment(file, [], knownNames(container));
    await runExperiment(experiment, container);
    const [none, tome] = planRuns(experiment).map((r) => RunDir.of(ws.results, 'cats', r.id));
    const rows = none.rows();
    expect(rows.map((r) => r.id)).toEqual(['astronaut.jpg', 'chelsea.jpg']);
    for (const row of rows) {
      expect(typeof row.prediction).toBe('string');
      expect(['yes', 'no']).toContain(row.parsed);
      expect(row).toMatchObject({ tokens: 64, tokens_cls: 65, tokens_full: 64, meta: '{"kind":"photo"}' });
      expect(row.virtual).toBeGreaterThan(64);
    }
    for (const row of tome.rows()) expect(row).toMatchObject({ tokens: 64 - 3 * 8, tokens_cls: 65 - 3 * 8, tokens_full: 64 });
    const summary = readArrowFile(join(none.path, 'summary.arrow')).rows[0];
    expect(summary).toMatchObject({ count: 2, tokens_cls: 65, samples: 2, tokens_share: 1, tokens_full: 64 });
    expect(readArrowFile(join(tome.path, 'summary.arrow')).rows[0]).toMatchObject({ tokens_share: 40 / 64, tokens_share_std: 0 });
    expect([0, 50, 100]).toContain(summary.accuracy);
    const scores = readArrowFile(join(none.path, 'scores.arrow'));
    expect(scores.columns.map((c) => `${c.name}:${c.type}`)).toEqual(['run_id:utf8', 'id:utf8', 'parsed:utf8', 'score:float64']);
  });

  it('answers execution.batch questions at a time with the same rows as one at a time', async () => {
    const ws = workspace('benchmark-batch-');
    const container = testContainer(ws);
    container.bind(BENCHMARKS).toConstantValue({ name: 'cats', open: () => new CatBenchmark() });
    const rowsWith = async (batch: number) => {
      const file = ws.write(
        `cats-${batch}.yaml`,
        `task: benchmark
model:
  llm: { generated: llama, preset: tiny, seed: 0 }
benchmarks: [cats]
policy: { name: dtome, thresholds: [0.8, 0.8, 0.8, null] }
limit: 5
seeds: [0]
execution: { batch: ${batch}, chunk: 4 }
`,
      );
      const experiment = loadExperiment(file, [], knownNames(container));
      await runExperiment(experiment, container);
      return RunDir.of(ws.results, experiment.name, planRuns(experiment)[0].id).rows().map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !k.endsWith('_ms'))));
    };
    const one = await rowsWith(1);
    expect(new Set(one.map((r) => r.tokens)).size).toBeGreaterThan(2);
    expect(await rowsWith(3)).toEqual(one);
  });
});
